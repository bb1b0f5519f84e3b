// The decoders against independent readings of the SDM: VMCS field
// encodings (Vol. 3D, Appendix B: bit 0 access, 9:1 index, 11:10 type,
// 14:13 width, 12 and 31:15 reserved), VM-instruction error numbers
// (Vol. 3C, 31.4), and status/result round trips.
#include <cstring>
#include <iterator>
#include <virtops/virtops.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace virtops;

void check_vmcs(std::uint64_t enc) {
  const vmcs::decoded d = vmcs::decode(enc);
  FUZZ_CHECK(static_cast<unsigned>(d.acc) == (enc & 1));
  FUZZ_CHECK(d.index == ((enc >> 1) & 0x1ff));
  FUZZ_CHECK(static_cast<unsigned>(d.type) == ((enc >> 10) & 3));
  FUZZ_CHECK(static_cast<unsigned>(d.w) == ((enc >> 13) & 3));
  const bool reserved_clear = (enc >> 15) == 0 && ((enc >> 12) & 1) == 0;
  FUZZ_CHECK(d.reserved_clear == reserved_clear);
  const bool high_ok = (enc & 1) == 0 || ((enc >> 13) & 3) == 1;
  FUZZ_CHECK(d.valid == (reserved_clear && high_ok));
  // Reassembled from its parts, a valid encoding is itself.
  if (d.valid) {
    const std::uint64_t again = static_cast<std::uint64_t>(d.acc) | std::uint64_t{d.index} << 1 |
                                std::uint64_t(d.type) << 10 | std::uint64_t(d.w) << 13;
    FUZZ_CHECK(again == enc);
  }
  const unsigned bits = vmcs::bits_of(enc);
  const unsigned want = (enc & 1) ? 32
                                  : (((enc >> 13) & 3) == 0   ? 16
                                     : ((enc >> 13) & 3) == 2 ? 32
                                                              : 64);
  FUZZ_CHECK(bits == want);
  // A name only for a valid encoding in the table, and then the table's.
  if (const char* name = vmcs::name_of(enc)) {
    FUZZ_CHECK(d.valid);
    bool found = false;
    for (const auto& f : vmcs::all_fields)
      if (f.encoding == enc)
        found =
            std::strcmp(f.name, name) == 0 && f.declared_width == d.w && f.declared_type == d.type;
    FUZZ_CHECK(found);
  }
}

void check_error(std::uint32_t n) {
  const auto e = static_cast<vm_instruction_error>(n);
  const bool defined = n >= 1 && n <= 28 && n != 14 && n != 21 && n != 27;
  FUZZ_CHECK(is_defined(e) == defined);
  const char* name = to_string(e);
  const char* text = description(e);
  FUZZ_CHECK(name != nullptr && text != nullptr && name[0] != '\0' && text[0] != '\0');
  if (n == 0) FUZZ_CHECK(std::strcmp(name, "none") == 0);
  if (!defined && n != 0)
    FUZZ_CHECK(std::strcmp(name, (n == 14 || n == 21 || n == 27) ? "reserved" : "unknown") == 0);
  if (defined) FUZZ_CHECK(std::strcmp(name, "reserved") != 0 && std::strcmp(name, "unknown") != 0);
}

// Once: the table itself against the decoder's SDM layout. Every row is a
// valid encoding with its declared width and type, encodings and names are
// unique (so name_of is a function), and a 64-bit field's _high row is the
// full row's encoding + 1 with the same type.
void check_table() {
  const std::size_t n = std::size(vmcs::all_fields);
  for (std::size_t i = 0; i < n; ++i) {
    const vmcs::field_info& f = vmcs::all_fields[i];
    const vmcs::decoded d = vmcs::decode(f.encoding);
    FUZZ_CHECK(d.valid && d.w == f.declared_width && d.type == f.declared_type);
    FUZZ_CHECK(vmcs::name_of(f.encoding) == f.name);
    for (std::size_t j = i + 1; j < n; ++j)
      FUZZ_CHECK(vmcs::all_fields[j].encoding != f.encoding &&
                 std::strcmp(vmcs::all_fields[j].name, f.name) != 0);
    const std::size_t len = std::strlen(f.name);
    const bool high = len > 5 && std::strcmp(f.name + len - 5, "_high") == 0;
    FUZZ_CHECK(high == (d.acc == vmcs::access::high));
    if (high) {
      FUZZ_CHECK(i > 0);  // a _high row follows its full row
      const vmcs::field_info& full = vmcs::all_fields[i - 1];
      FUZZ_CHECK(full.encoding + 1 == f.encoding && full.declared_type == f.declared_type &&
                 std::strncmp(full.name, f.name, len - 5) == 0 && full.name[len - 5] == '\0');
    }
  }
  // Every defined error number has its own name and description.
  for (std::uint32_t a = 0; a <= 28; ++a)
    for (std::uint32_t b = a + 1; b <= 28; ++b)
      if (is_defined(vm_instruction_error{a}) && is_defined(vm_instruction_error{b}))
        FUZZ_CHECK(std::strcmp(to_string(vm_instruction_error{a}),
                               to_string(vm_instruction_error{b})) != 0 &&
                   std::strcmp(description(vm_instruction_error{a}),
                               description(vm_instruction_error{b})) != 0);
  const errc codes[] = {errc::ok,    errc::vmfail_invalid, errc::vmfail_valid,
                        errc::fault, errc::invalid_field,  errc::value_too_wide};
  for (const errc a : codes) {
    FUZZ_CHECK(std::strcmp(to_string(a), "unknown") != 0);
    for (const errc b : codes) FUZZ_CHECK(a == b || std::strcmp(to_string(a), to_string(b)) != 0);
  }
}

template <class T>
void check_result(input& in) {
  const T v = in.take<T>();
  const result<T> ok{v};
  FUZZ_CHECK(ok.has_value() && ok.value() == v && ok.value_or(T(v + 1)) == v);
  FUZZ_CHECK(ok.error() == status{});
  // Success without a value (a fault the policy resumed): has_value, 0.
  const result<T> resumed{status{}};
  FUZZ_CHECK(resumed.has_value() && resumed.value() == T{} && resumed.error().ok());

  // What a trap hook records: an exception vector (below 32) and a
  // canonical RIP (bits 57-63 repeat bit 56; 5-level paging at most).
  const auto canonical = [](std::uint64_t x) {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(x << 7) >> 7);
  };
  const fault_info f{static_cast<insn>(in.below(insn_count)),
                     static_cast<std::uint8_t>(in.byte() & 31), in.take<std::uint32_t>(),
                     canonical(in.take<std::uint64_t>())};
  const status s = status::from_fault(f);
  FUZZ_CHECK(s.code() == errc::fault && s.fault() == f && s.instruction() == f.instruction);
  FUZZ_CHECK(s.vm_error() == vm_instruction_error::none);
  const result<T> bad{s};
  FUZZ_CHECK(!bad.has_value() && bad.value_or(v) == v);
  FUZZ_CHECK(bad.error() == s && bad.error().fault() == f);
  // A failed VMREAD/VMWRITE names its field: any encoding without a fault,
  // one below 0x8000 with one; the rest of the record is unchanged.
  const std::uint64_t encoding = in.take<std::uint64_t>() >> (in.byte() & 63);
  const status named = s.with_field(encoding);
  FUZZ_CHECK(named.fault() == f && named.code() == errc::fault);
  FUZZ_CHECK(named.has_field() == (encoding < 0x8000) &&
             named.field() == (encoding < 0x8000 ? encoding : 0));
  FUZZ_CHECK(result<T>{named}.error() == named);
  FUZZ_CHECK(!s.has_field() && s.field() == 0);

  const auto e = static_cast<vm_instruction_error>(in.take<std::uint32_t>());
  const status valid = status::vmfail_valid(f.instruction, e);
  FUZZ_CHECK(valid.code() == errc::vmfail_valid && valid.vm_error() == e);
  FUZZ_CHECK(valid.fault() == fault_info{});
  FUZZ_CHECK(result<T>{valid}.error() == valid);
  const status valid_named = valid.with_field(encoding);
  FUZZ_CHECK(valid_named.has_field() && valid_named.field() == encoding &&
             valid_named.vm_error() == e && result<T>{valid_named}.error() == valid_named);
  const status invalid = status::vmfail_invalid(f.instruction);
  FUZZ_CHECK(invalid.code() == errc::vmfail_invalid &&
             invalid.vm_error() == vm_instruction_error::none);
  FUZZ_CHECK(result<T>{invalid}.error() == invalid && !result<T>{invalid}.has_value());
  // A checked wrapper's refusal: no fault, no error number, no value.
  const errc why = (in.byte() & 1) != 0 ? errc::invalid_field : errc::value_too_wide;
  const status refused = why == errc::invalid_field ? status::invalid_field(f.instruction)
                                                    : status::value_too_wide(f.instruction);
  FUZZ_CHECK(refused.code() == why && refused.instruction() == f.instruction && !refused.ok());
  FUZZ_CHECK(refused.vm_error() == vm_instruction_error::none && refused.fault() == fault_info{});
  const result<T> refused_value{refused};
  FUZZ_CHECK(!refused_value.has_value() && refused_value.value_or(v) == v &&
             refused_value.error() == refused);
  FUZZ_CHECK(std::strcmp(to_string(s.code()), "fault") == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool table_checked = (check_table(), true);
  (void)table_checked;
  input in(data, size);
  while (!in.empty()) {
    switch (in.byte() % 7) {
      case 0: check_vmcs(in.take<std::uint64_t>()); break;
      case 1: check_vmcs(in.take<std::uint16_t>()); break;  // mostly plausible encodings
      case 2: check_error(in.take<std::uint32_t>()); break;
      case 3: check_error(in.byte()); break;  // mostly the SDM's range
      case 4: check_result<std::uint64_t>(in); break;
      // A 64-bit VMREAD of the error field: the enum keeps its low 32 bits.
      case 5: check_error(static_cast<std::uint32_t>(in.take<std::uint64_t>())); break;
      default: check_result<std::uint16_t>(in); break;
    }
  }
  return 0;
}
