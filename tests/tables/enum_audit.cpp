// The enumerations' audit: virtops' VMX exit reasons, VMCS field encodings,
// VM-instruction errors and SVM #VMEXIT codes against Linux's, Bochs' and
// Xen's numbers (enum_peers.hpp). It reads virtops only through the tables'
// run-time lookups (to_string, vmcs::name_of), so it also builds against an
// older virtops and lists every disagreement with it. Prints one line per
// failure and exits nonzero if there is any.
#include <virtops/vm_instruction_error.hpp>
#include <virtops/vmcb.hpp>
#include <virtops/vmcs.hpp>
#include <virtops/vmx_exit_reason.hpp>

#include "enum_peers.hpp"

namespace {

std::string unless_unknown(const char* s) { return std::strcmp(s, "unknown") == 0 ? "" : s; }

std::string exit_reason_name(std::uint64_t n) {
  if (n > 0xffff) return "";
  return unless_unknown(virtops::vmx::to_string(
      static_cast<virtops::vmx::exit_reason>(static_cast<std::uint16_t>(n))));
}

std::string vmcs_name(std::uint64_t n) {
  const char* s = virtops::vmcs::name_of(n);
  return s ? s : "";
}

std::string vm_instruction_error_name(std::uint64_t n) {
  if (n > 0xffffffff) return "";
  return unless_unknown(virtops::to_string(
      static_cast<virtops::vm_instruction_error>(static_cast<std::uint32_t>(n))));
}

std::string exit_code_name(std::uint64_t n) {
  return unless_unknown(virtops::vmcb::to_string(static_cast<virtops::vmcb::exit_code>(n)));
}

// A 64-bit VMCS field's high half is its encoding + 1 (SDM Vol. 3D, B.2):
// derived from each peer's full-width rows.
void add_high_halves(std::vector<audit::peer>& peers) {
  for (audit::peer& p : peers) {
    std::vector<audit::row> highs;
    for (const audit::row& r : p.rows) {
      const bool is64 = ((r.lo >> 13) & 3) == 1 && (r.lo & 1) == 0;
      if (!is64 || r.k == audit::kind::reserved) continue;
      audit::row h = r;
      h.lo = h.hi = r.lo + 1;
      h.peer_name += " (high)";
      if (r.k == audit::kind::named) h.ours += "_high";
      highs.push_back(h);
    }
    p.rows.insert(p.rows.end(), highs.begin(), highs.end());
  }
}

}  // namespace

int main() {
  // Virtops entries that none of the three peers carries: checked against
  // the SDM/APM alone, and said so here.
  const std::vector<audit::sole_source> vmcs_sole = {
      {0x2816, "guest_ia32_lbr_ctl",
       "guest IA32_LBR_CTL (architectural LBRs), SDM Vol. 3D B.2.3; Linux keeps it in "
       "unmerged patches, Bochs and Xen do not virtualize arch LBRs"},
      {0x2817, "guest_ia32_lbr_ctl_high", "high half of 0x2816"},
  };
  const std::vector<audit::sole_source> exit_code_sole = {
      {0xFFFFFFFF, "invalid",
       "VMEXIT_INVALID as only its low 32 bits (QEMU TCG stores it so); the peers list -1"},
  };

  std::vector<std::uint64_t> exit_code_domain = audit::iota(0x1000);
  for (std::uint64_t n = 0xF0000000; n < 0xF0000100; ++n) exit_code_domain.push_back(n);
  for (std::uint64_t n = 0xFFFFFF00; n <= 0xFFFFFFFF; ++n) exit_code_domain.push_back(n);
  for (std::uint64_t n = 0; n < 0x100; ++n) exit_code_domain.push_back(~std::uint64_t{0} - n);

  std::vector<audit::peer> vmcs_peers = peers::vmcs_fields();
  add_high_halves(vmcs_peers);

  audit::check_table("VMX exit reasons", exit_reason_name, audit::iota(0x10000),
                     peers::exit_reasons(), {}, true);
  audit::check_table("VMCS field encodings", vmcs_name, audit::iota(0x8000), vmcs_peers, vmcs_sole);
  audit::check_table("VM-instruction errors", vm_instruction_error_name, audit::iota(0x400),
                     peers::vm_instruction_errors(), {}, true);
  audit::check_table("SVM #VMEXIT codes", exit_code_name, exit_code_domain, peers::svm_exit_codes(),
                     exit_code_sole);
  return audit::report("enumeration audit");
}
