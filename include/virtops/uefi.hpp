/// \file
/// virtops: the UEFI trap adapter, for hypervisors that run as UEFI
/// applications or drivers (before ExitBootServices).
///
/// The firmware owns the IDT. Its CPU architectural protocol
/// (`EFI_CPU_ARCH_PROTOCOL`, PI spec vol. 2) lets an image register a handler
/// per exception; install() registers one for `#UD`, `#SS`, `#GP` and `#PF`
/// that forwards to trap::handle and, for a fault at a wrapper's site, resumes
/// at the wrapper's fault path. A fault anywhere else is not virtops': the
/// handler unregisters itself for that vector and returns, so the instruction
/// faults again into the firmware's own handler (OVMF prints the exception and
/// the registers and halts), as without virtops. Call install() again after
/// such a fault if the image goes on.
///
/// The few EFI types it needs are declared here, with the numbers of the
/// UEFI and PI specifications (checked against EDK2's MdePkg headers), so no
/// EDK2 or gnu-efi header is needed. Works on PE/COFF (Clang, lld-link
/// /subsystem:efi_application) and in ELF images converted to PE (gnu-efi):
/// the function pointers carry the UEFI calling convention (the Microsoft x64
/// one) either way.
#pragma once

#include "config.hpp"
#include "detail/std.hpp"
#include "extable.hpp"
#include "fault.hpp"
#include "trap.hpp"

/// \cond INTERNAL
#define VIRTOPS_DETAIL_EFIAPI __attribute__((ms_abi))
/// \endcond

namespace virtops::uefi {

/// EFI_STATUS: 0 is success, errors have the top bit set (UEFI spec, Appendix D).
using efi_status = std::uint64_t;
inline constexpr efi_status success = 0;
inline constexpr efi_status error_bit = std::uint64_t{1} << 63;
inline constexpr efi_status invalid_parameter = error_bit | 2;
inline constexpr efi_status unsupported = error_bit | 3;
inline constexpr efi_status not_found = error_bit | 14;
inline constexpr efi_status already_started = error_bit | 20;

constexpr bool is_error(efi_status s) noexcept { return (s & error_bit) != 0; }

struct guid {
  std::uint32_t data1;
  std::uint16_t data2, data3;
  std::uint8_t data4[8];
};
static_assert(sizeof(guid) == 16);

/// EFI_CPU_ARCH_PROTOCOL_GUID (PI spec vol. 2; EDK2 MdePkg/Include/Protocol/Cpu.h).
inline constexpr guid cpu_arch_protocol_guid = {
    0x26baccb1, 0x6f42, 0x11d4, {0xbc, 0xe7, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81}};

/// EFI_SYSTEM_CONTEXT_X64 (UEFI spec, EFI_DEBUG_SUPPORT_PROTOCOL): what the
/// firmware saved when the exception arrived; writing `rip` moves where the
/// handler returns to.
struct system_context_x64 {
  std::uint64_t exception_data;  ///< the error code, for exceptions that push one
  std::uint8_t fx_save_state[512];
  std::uint64_t dr0, dr1, dr2, dr3, dr6, dr7;
  std::uint64_t cr0, cr1, cr2, cr3, cr4, cr8;
  std::uint64_t rflags, ldtr, tr, gdtr[2], idtr[2];
  std::uint64_t rip;
  std::uint64_t gs, fs, es, ds, cs, ss;
  std::uint64_t rdi, rsi, rbp, rsp, rbx, rdx, rcx, rax;
  std::uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};
static_assert(offsetof(system_context_x64, rip) == 672);
static_assert(sizeof(system_context_x64) == 856);

/// EFI_CPU_INTERRUPT_HANDLER. The context is passed as EFI_SYSTEM_CONTEXT, a
/// union of pointers, which the calling convention passes as the pointer.
using interrupt_handler = void(VIRTOPS_DETAIL_EFIAPI*)(std::int64_t exception_type,
                                                       system_context_x64* context);

/// EFI_CPU_ARCH_PROTOCOL (PI spec vol. 2, 12.3): only
/// RegisterInterruptHandler is used.
struct cpu_arch_protocol {
  void* flush_data_cache;
  void* enable_interrupt;
  void* disable_interrupt;
  void* get_interrupt_state;
  void* init;
  efi_status(VIRTOPS_DETAIL_EFIAPI* register_interrupt_handler)(cpu_arch_protocol* self,
                                                                std::int64_t exception_type,
                                                                interrupt_handler handler);
  void* get_timer_value;
  void* set_memory_attributes;
  std::uint32_t number_of_timers;
  std::uint32_t dma_buffer_alignment;
};
static_assert(offsetof(cpu_arch_protocol, register_interrupt_handler) == 40);

/// EFI_BOOT_SERVICES, up to LocateProtocol (UEFI spec, 4.4): the table
/// header (24 bytes) and 37 services before it.
struct boot_services {
  std::uint8_t header_and_earlier_services[24 + 37 * 8];
  efi_status(VIRTOPS_DETAIL_EFIAPI* locate_protocol)(const guid* protocol, void* registration,
                                                     void** interface);
};
static_assert(offsetof(boot_services, locate_protocol) == 0x140);

/// EFI_SYSTEM_TABLE, up to BootServices (UEFI spec, 4.3).
struct system_table {
  std::uint8_t header_to_runtime_services[96];
  boot_services* boot;
};
static_assert(offsetof(system_table, boot) == 0x60);

/// The exceptions a wrapped instruction raises (extable::vector_rules).
inline constexpr std::uint8_t handled_vectors[] = {vector::ud, vector::ss, vector::gp, vector::pf};

namespace detail {

inline constinit cpu_arch_protocol* cpu = nullptr;

constexpr bool has_error_code(std::int64_t v) noexcept {
  return v == vector::ss || v == vector::gp || v == vector::pf;
}

inline void VIRTOPS_DETAIL_EFIAPI on_exception(std::int64_t type, system_context_x64* context) {
  if (context != nullptr && type >= 0 && type < vector::first_interrupt) {
    std::uintptr_t rip = context->rip;
    const auto error =
        has_error_code(type) ? static_cast<std::uint32_t>(context->exception_data) : 0u;
    if (trap::handle(rip, static_cast<std::uint8_t>(type), error)) {
      context->rip = rip;
      return;
    }
  }
  // Not ours: step aside; the instruction runs again into the firmware's handler.
  if (cpu_arch_protocol* c = __atomic_load_n(&cpu, __ATOMIC_ACQUIRE))
    (void)c->register_interrupt_handler(c, type, nullptr);
}

}  // namespace detail

/// Unregisters what install() registered (a vector whose handler stepped
/// aside after a foreign fault is already unregistered: that is no error).
inline void uninstall() noexcept {
  cpu_arch_protocol* c = __atomic_exchange_n(&detail::cpu, nullptr, __ATOMIC_ACQ_REL);
  if (c == nullptr) return;
  for (std::uint8_t v : handled_vectors) (void)c->register_interrupt_handler(c, v, nullptr);
}

/// Sorts this image's table and registers the handler for `#UD`, `#SS`,
/// `#GP` and `#PF` with `cpu`. Returns success, or the first error of
/// RegisterInterruptHandler (e.g. already_started: another handler holds a
/// vector), with every vector it had registered unregistered again;
/// invalid_parameter for a null `cpu`. Installing again first uninstalls.
inline efi_status install(cpu_arch_protocol* cpu) noexcept {
  if (cpu == nullptr) return invalid_parameter;
  uninstall();
  extable::this_module().sort();  // before any handler can look it up
  __atomic_store_n(&detail::cpu, cpu, __ATOMIC_RELEASE);
  for (std::uint8_t v : handled_vectors) {
    const efi_status s = cpu->register_interrupt_handler(cpu, v, &detail::on_exception);
    if (is_error(s)) {
      for (std::uint8_t u : handled_vectors) {
        if (u == v) break;
        (void)cpu->register_interrupt_handler(cpu, u, nullptr);
      }
      __atomic_store_n(&detail::cpu, nullptr, __ATOMIC_RELEASE);
      return s;
    }
  }
  return success;
}

/// The same, finding the protocol through the system table's boot services
/// (LocateProtocol): not_found if the firmware has none, invalid_parameter
/// for a null or incomplete table.
inline efi_status install(system_table* st) noexcept {
  if (st == nullptr || st->boot == nullptr || st->boot->locate_protocol == nullptr)
    return invalid_parameter;
  void* found = nullptr;
  const efi_status s = st->boot->locate_protocol(&cpu_arch_protocol_guid, nullptr, &found);
  if (is_error(s)) return s;
  if (found == nullptr) return not_found;
  return install(static_cast<cpu_arch_protocol*>(found));
}

}  // namespace virtops::uefi
