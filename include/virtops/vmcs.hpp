/// \file
/// virtops: the VMCS fields (Intel SDM Vol. 3D, Appendix B) as types.
///
/// A field's encoding is the single source of truth: its width, type, access
/// (full/high) and index are decoded from the encoding's bits; the table
/// below also states each field's width and type as the SDM lists them, and
/// a static_assert checks every row against the decoder, so a mistyped
/// encoding does not compile. vmx::vmread<F>() and vmx::vmwrite<F>(v) use
/// these types to pick the value type and to reject, at compile time, writes
/// to read-only fields and values that may not fit the field (value_for<F>:
/// constants are checked, run-time values must be of a type no wider).
#pragma once

#include "config.hpp"
#include "detail/std.hpp"

namespace virtops::vmcs {

/// Bits 14:13 of an encoding.
enum class width : std::uint8_t { bits16 = 0, bits64 = 1, bits32 = 2, natural = 3 };
/// Bits 11:10 of an encoding.
enum class field_type : std::uint8_t { control = 0, read_only = 1, guest = 2, host = 3 };
/// Bit 0 of an encoding: the high half of a 64-bit field has its own encoding.
enum class access : std::uint8_t { full = 0, high = 1 };

/// A raw encoding taken apart.
struct decoded {
  width w;
  field_type type;
  access acc;
  std::uint16_t index;  ///< bits 9:1
  bool reserved_clear;  ///< bits 63:15 and 12 are zero
  bool valid;           ///< reserved bits clear, and high access only for 64-bit fields
};

/// Decodes any 64-bit value as a VMCS encoding; usable at compile and run time.
constexpr decoded decode(std::uint64_t encoding) noexcept {
  const auto w = static_cast<width>((encoding >> 13) & 3);
  const auto acc = static_cast<access>(encoding & 1);
  const bool reserved_clear = (encoding & ~std::uint64_t{0x6fff}) == 0;
  return {w,
          static_cast<field_type>((encoding >> 10) & 3),
          acc,
          static_cast<std::uint16_t>((encoding >> 1) & 0x1ff),
          reserved_clear,
          reserved_clear && (acc == access::full || w == width::bits64)};
}

/// Bits a field holds: 16, 32 or 64 (natural width is 64 in 64-bit mode; the
/// high half of a 64-bit field is 32).
constexpr unsigned bits_of(std::uint64_t encoding) noexcept {
  const decoded d = decode(encoding);
  if (d.acc == access::high) return 32;
  switch (d.w) {
    case width::bits16: return 16;
    case width::bits32: return 32;
    default: return 64;
  }
}

namespace detail {
template <unsigned Bits>
struct uint_of {
  using type = std::uint64_t;
};
template <>
struct uint_of<16> {
  using type = std::uint16_t;
};
template <>
struct uint_of<32> {
  using type = std::uint32_t;
};

// What an encoding's width, type and access bits make of a field: computed
// once per kind of field (about twenty), not once per field.
template <width W, field_type T, access A>
struct field_kind {
  static constexpr width field_width = W;
  static constexpr field_type type = T;
  static constexpr access field_access = A;
  static constexpr unsigned bits = A == access::high    ? 32
                                   : W == width::bits16 ? 16
                                   : W == width::bits32 ? 32
                                                        : 64;
  /// The VM-exit information fields cannot be written (but see IA32_VMX_MISC[29]).
  static constexpr bool read_only = T == field_type::read_only;
  using value_type = typename uint_of<bits>::type;
};
}  // namespace detail

constexpr const char* name_of(std::uint64_t encoding) noexcept;

/// A VMCS field, as a type. Each named field below derives from one
/// (vmcs::guest_rip from field<0x681E>), and an encoding the table lacks can
/// be used as field<E> (or a type derived from it).
/// Its members: encoding, field_width, type, field_access, index, bits (16,
/// 32 or 64; as bits_of), read_only, value_type (std::uint16_t, _32_t or
/// _64_t), field_name. The width, type and access are decode(Encoding)'s,
/// taken from the same bits without a call.
template <std::uint32_t Encoding>
struct field : detail::field_kind<static_cast<width>((Encoding >> 13) & 3),
                                  static_cast<field_type>((Encoding >> 10) & 3),
                                  static_cast<access>(Encoding & 1)> {
  static_assert((Encoding & ~std::uint32_t{0x6fff}) == 0,
                "not a VMCS field encoding: reserved bits (31:15, 12) are set");
  static_assert((Encoding & 1) == 0 || ((Encoding >> 13) & 3) == 1,
                "not a VMCS field encoding: high access (bit 0) on a field that is not 64-bit");
  static constexpr std::uint32_t encoding = Encoding;
  static constexpr std::uint16_t index = (Encoding >> 1) & 0x1ff;
  /// The table's name for the encoding ("guest_rip"), or nullptr if it has none.
  static constexpr const char* field_name = name_of(Encoding);
};

namespace detail {
/// A named field of the table: field<Encoding> with the row's name in its
/// type, so that diagnostics name it (`named_field<17410,
/// virtops::vmcs::detail::row::vm_exit_reason>`).
template <std::uint32_t Encoding, class Row>
struct named_field : field<Encoding> {};
}  // namespace detail

/// Any VMCS field type.
template <class F>
concept field_c = requires {
  { F::encoding } -> virtops::detail::convertible_to<std::uint32_t>;
  typename F::value_type;
  { F::read_only } -> virtops::detail::convertible_to<bool>;
}
&&virtops::detail::is_base_of_v<field<F::encoding>, F>;

/// A field VMWRITE may write.
template <class F>
concept writable = field_c<F> && !F::read_only;

/// A value type that fits a field: an unsigned integer no wider than it.
/// Values of such a type are taken as they are, at run time too.
template <class F, class V>
concept fits = field_c<F> && virtops::detail::is_integral_v<V> &&
               virtops::detail::is_unsigned_v<V> && !virtops::detail::is_same_v<V, bool> &&
               sizeof(V) * 8 <= F::bits;

namespace detail {

template <class...>
inline constexpr bool always_false = false;

// A constant that does not fit calls one of these from a consteval
// constructor of value_for; a call to a non-constexpr function is not a
// constant expression, and GCC and Clang name the function in the error.
inline void vmwrite_constant_is_negative() noexcept {}
inline void vmwrite_constant_is_wider_than_the_vmcs_field() noexcept {}

}  // namespace detail

/// What vmx::vmwrite<F>(v) takes: a value that fits field F. It converts
/// implicitly from
///  - a value of an unsigned integer type no wider than the field
///    (vmcs::fits<F, V>), at run time too: taken as it is, at no cost;
///  - an integer constant of any other integer type (int, unsigned, long,
///    ..., an unscoped enumerator): checked at compile time, it must be
///    0 <= value <= the field's maximum. So `vmwrite<vmcs::guest_cs_selector>(0)`
///    and `vmwrite<vmcs::guest_es_limit>(0xffffffff)` compile, and
///    `vmwrite<vmcs::guest_cs_selector>(0x10000)` or `(-1)` do not.
/// A run-time value of a signed type or of a type wider than the field does
/// not compile: the error names the fix (pass F::value_type, e.g. a
/// std::uint16_t for a selector, or use vmx::vmwrite_checked, which reports
/// errc::value_too_wide). Neither does bool, nor a scoped enum (convert it
/// first: it is a value of its own type, not a field's).
template <field_c F>
class value_for {
 public:
  using field = F;
  using value_type = typename F::value_type;

  template <class V>
  VIRTOPS_ALWAYS_INLINE constexpr value_for(V v) noexcept requires fits<F, V> : value_(v) {}

  // Constants: an exact match for each integer type of int's width or
  // wider that does not fit, so that a literal picks one of these rather
  // than the template above; narrower types promote to int.
  consteval value_for(const int& c) noexcept : value_(from_constant(c)) {}
  consteval value_for(const long& c) noexcept : value_(from_constant(c)) {}
  consteval value_for(const long long& c) noexcept : value_(from_constant(c)) {}
  consteval value_for(const unsigned& c) noexcept requires(!fits<F, unsigned>)
      : value_(from_constant(c)) {}
  consteval value_for(const unsigned long& c) noexcept requires(!fits<F, unsigned long>)
      : value_(from_constant(c)) {}
  consteval value_for(const unsigned long long& c) noexcept requires(!fits<F, unsigned long long>)
      : value_(from_constant(c)) {}

  /// bool is an integer type, but never a field's value.
  template <class B>
  value_for(B) noexcept requires virtops::detail::same_as<B, bool> : value_() {
    static_assert(detail::always_false<B>, "VMWRITE value must be an unsigned integer, not bool");
  }

  VIRTOPS_ALWAYS_INLINE constexpr value_type value() const noexcept { return value_; }

 private:
  template <class T>
  static consteval value_type from_constant(const T& c) noexcept {
    T v{};
    if constexpr (F::bits == 16)
      v = run_time_value_is_signed_or_wider_than_the_field_pass_a_std_uint16_t_or_use_vmwrite_checked(
          c);
    else if constexpr (F::bits == 32)
      v = run_time_value_is_signed_or_wider_than_the_field_pass_a_std_uint32_t_or_use_vmwrite_checked(
          c);
    else
      v = run_time_value_is_signed_or_wider_than_the_field_pass_a_std_uint64_t_or_use_vmwrite_checked(
          c);
    if constexpr (virtops::detail::is_signed_v<T>) {
      if (v < 0) detail::vmwrite_constant_is_negative();
    }
    if constexpr (F::bits < 64) {
      if ((static_cast<std::uint64_t>(v) >> F::bits) != 0)
        detail::vmwrite_constant_is_wider_than_the_vmcs_field();
    }
    return static_cast<value_type>(v);
  }

  // A constant is read through one of these, by reference, so that the read
  // happens inside it. A run-time value of a type that does not fit cannot
  // be read in a constant expression: GCC says "'v' is not a constant
  // expression" in the expansion of this function, Clang "function parameter
  // 'v' with unknown value cannot be used in a constant expression" in a call
  // to it; its name is the fix.
  template <class T>
  static consteval T
  run_time_value_is_signed_or_wider_than_the_field_pass_a_std_uint16_t_or_use_vmwrite_checked(
      const T& v) noexcept {
    return v;
  }
  template <class T>
  static consteval T
  run_time_value_is_signed_or_wider_than_the_field_pass_a_std_uint32_t_or_use_vmwrite_checked(
      const T& v) noexcept {
    return v;
  }
  template <class T>
  static consteval T
  run_time_value_is_signed_or_wider_than_the_field_pass_a_std_uint64_t_or_use_vmwrite_checked(
      const T& v) noexcept {
    return v;
  }

  value_type value_;
};

// The table: name, encoding, and the width and type the SDM lists it under.
// 64-bit fields get a second type, name##_high, for the high half.
// clang-format off
#define VIRTOPS_VMCS_FIELDS(X, X64)                                                       \
  /* 16-bit control */                                                                    \
  X(virtual_processor_id, 0x0000, bits16, control)                                        \
  X(posted_interrupt_notification_vector, 0x0002, bits16, control)                        \
  X(eptp_index, 0x0004, bits16, control)                                                  \
  X(hlat_prefix_size, 0x0006, bits16, control)                                            \
  X(last_pid_pointer_index, 0x0008, bits16, control)                                      \
  /* 16-bit guest state */                                                                \
  X(guest_es_selector, 0x0800, bits16, guest)                                             \
  X(guest_cs_selector, 0x0802, bits16, guest)                                             \
  X(guest_ss_selector, 0x0804, bits16, guest)                                             \
  X(guest_ds_selector, 0x0806, bits16, guest)                                             \
  X(guest_fs_selector, 0x0808, bits16, guest)                                             \
  X(guest_gs_selector, 0x080A, bits16, guest)                                             \
  X(guest_ldtr_selector, 0x080C, bits16, guest)                                           \
  X(guest_tr_selector, 0x080E, bits16, guest)                                             \
  X(guest_interrupt_status, 0x0810, bits16, guest)                                        \
  X(pml_index, 0x0812, bits16, guest)                                                     \
  X(guest_uinv, 0x0814, bits16, guest)                                                    \
  /* 16-bit host state */                                                                 \
  X(host_es_selector, 0x0C00, bits16, host)                                               \
  X(host_cs_selector, 0x0C02, bits16, host)                                               \
  X(host_ss_selector, 0x0C04, bits16, host)                                               \
  X(host_ds_selector, 0x0C06, bits16, host)                                               \
  X(host_fs_selector, 0x0C08, bits16, host)                                               \
  X(host_gs_selector, 0x0C0A, bits16, host)                                               \
  X(host_tr_selector, 0x0C0C, bits16, host)                                               \
  /* 64-bit control */                                                                    \
  X64(io_bitmap_a, 0x2000, control)                                                       \
  X64(io_bitmap_b, 0x2002, control)                                                       \
  X64(msr_bitmap, 0x2004, control)                                                        \
  X64(vm_exit_msr_store_address, 0x2006, control)                                         \
  X64(vm_exit_msr_load_address, 0x2008, control)                                          \
  X64(vm_entry_msr_load_address, 0x200A, control)                                         \
  X64(executive_vmcs_pointer, 0x200C, control)                                            \
  X64(pml_address, 0x200E, control)                                                       \
  X64(tsc_offset, 0x2010, control)                                                        \
  X64(virtual_apic_address, 0x2012, control)                                              \
  X64(apic_access_address, 0x2014, control)                                               \
  X64(posted_interrupt_descriptor_address, 0x2016, control)                               \
  X64(vm_function_controls, 0x2018, control)                                              \
  X64(ept_pointer, 0x201A, control)                                                       \
  X64(eoi_exit_bitmap_0, 0x201C, control)                                                 \
  X64(eoi_exit_bitmap_1, 0x201E, control)                                                 \
  X64(eoi_exit_bitmap_2, 0x2020, control)                                                 \
  X64(eoi_exit_bitmap_3, 0x2022, control)                                                 \
  X64(eptp_list_address, 0x2024, control)                                                 \
  X64(vmread_bitmap_address, 0x2026, control)                                             \
  X64(vmwrite_bitmap_address, 0x2028, control)                                            \
  X64(virtualization_exception_information_address, 0x202A, control)                      \
  X64(xss_exiting_bitmap, 0x202C, control)                                                \
  X64(encls_exiting_bitmap, 0x202E, control)                                              \
  X64(sub_page_permission_table_pointer, 0x2030, control)                                 \
  X64(tsc_multiplier, 0x2032, control)                                                    \
  X64(tertiary_processor_based_controls, 0x2034, control)                                 \
  X64(enclv_exiting_bitmap, 0x2036, control)                                              \
  X64(low_pasid_directory_address, 0x2038, control)                                       \
  X64(high_pasid_directory_address, 0x203A, control)                                      \
  X64(shared_eptp, 0x203C, control)                                                       \
  X64(pconfig_exiting_bitmap, 0x203E, control)                                            \
  X64(hlat_pointer, 0x2040, control)                                                      \
  X64(pid_pointer_table_address, 0x2042, control)                                         \
  X64(secondary_vm_exit_controls, 0x2044, control)                                        \
  X64(ia32_spec_ctrl_mask, 0x204A, control)                                               \
  X64(ia32_spec_ctrl_shadow, 0x204C, control)                                             \
  X64(injected_event_data, 0x2052, control)                                               \
  /* 64-bit read-only data */                                                             \
  X64(guest_physical_address, 0x2400, read_only)                                          \
  X64(msr_data, 0x2402, read_only)                                                        \
  X64(original_event_data, 0x2404, read_only)                                             \
  /* 64-bit guest state */                                                                \
  X64(vmcs_link_pointer, 0x2800, guest)                                                   \
  X64(guest_ia32_debugctl, 0x2802, guest)                                                 \
  X64(guest_ia32_pat, 0x2804, guest)                                                      \
  X64(guest_ia32_efer, 0x2806, guest)                                                     \
  X64(guest_ia32_perf_global_ctrl, 0x2808, guest)                                         \
  X64(guest_pdpte0, 0x280A, guest)                                                        \
  X64(guest_pdpte1, 0x280C, guest)                                                        \
  X64(guest_pdpte2, 0x280E, guest)                                                        \
  X64(guest_pdpte3, 0x2810, guest)                                                        \
  X64(guest_ia32_bndcfgs, 0x2812, guest)                                                  \
  X64(guest_ia32_rtit_ctl, 0x2814, guest)                                                 \
  X64(guest_ia32_lbr_ctl, 0x2816, guest)                                                  \
  X64(guest_ia32_pkrs, 0x2818, guest)                                                     \
  X64(guest_ia32_fred_config, 0x281A, guest)                                              \
  X64(guest_ia32_fred_rsp1, 0x281C, guest)                                                \
  X64(guest_ia32_fred_rsp2, 0x281E, guest)                                                \
  X64(guest_ia32_fred_rsp3, 0x2820, guest)                                                \
  X64(guest_ia32_fred_stklvls, 0x2822, guest)                                             \
  X64(guest_ia32_fred_ssp1, 0x2824, guest)                                                \
  X64(guest_ia32_fred_ssp2, 0x2826, guest)                                                \
  X64(guest_ia32_fred_ssp3, 0x2828, guest)                                                \
  X64(guest_ia32_spec_ctrl, 0x282E, guest)                                                \
  /* 64-bit host state */                                                                 \
  X64(host_ia32_pat, 0x2C00, host)                                                        \
  X64(host_ia32_efer, 0x2C02, host)                                                       \
  X64(host_ia32_perf_global_ctrl, 0x2C04, host)                                           \
  X64(host_ia32_pkrs, 0x2C06, host)                                                       \
  X64(host_ia32_fred_config, 0x2C08, host)                                                \
  X64(host_ia32_fred_rsp1, 0x2C0A, host)                                                  \
  X64(host_ia32_fred_rsp2, 0x2C0C, host)                                                  \
  X64(host_ia32_fred_rsp3, 0x2C0E, host)                                                  \
  X64(host_ia32_fred_stklvls, 0x2C10, host)                                               \
  X64(host_ia32_fred_ssp1, 0x2C12, host)                                                  \
  X64(host_ia32_fred_ssp2, 0x2C14, host)                                                  \
  X64(host_ia32_fred_ssp3, 0x2C16, host)                                                  \
  X64(host_ia32_spec_ctrl, 0x2C1A, host)                                                  \
  /* 32-bit control */                                                                    \
  X(pin_based_vm_execution_controls, 0x4000, bits32, control)                             \
  X(primary_processor_based_vm_execution_controls, 0x4002, bits32, control)               \
  X(exception_bitmap, 0x4004, bits32, control)                                            \
  X(page_fault_error_code_mask, 0x4006, bits32, control)                                  \
  X(page_fault_error_code_match, 0x4008, bits32, control)                                 \
  X(cr3_target_count, 0x400A, bits32, control)                                            \
  X(primary_vm_exit_controls, 0x400C, bits32, control)                                    \
  X(vm_exit_msr_store_count, 0x400E, bits32, control)                                     \
  X(vm_exit_msr_load_count, 0x4010, bits32, control)                                      \
  X(vm_entry_controls, 0x4012, bits32, control)                                           \
  X(vm_entry_msr_load_count, 0x4014, bits32, control)                                     \
  X(vm_entry_interruption_information, 0x4016, bits32, control)                          \
  X(vm_entry_exception_error_code, 0x4018, bits32, control)                               \
  X(vm_entry_instruction_length, 0x401A, bits32, control)                                 \
  X(tpr_threshold, 0x401C, bits32, control)                                               \
  X(secondary_processor_based_vm_execution_controls, 0x401E, bits32, control)             \
  X(ple_gap, 0x4020, bits32, control)                                                     \
  X(ple_window, 0x4022, bits32, control)                                                  \
  X(instruction_timeout_control, 0x4024, bits32, control)                                 \
  /* 32-bit read-only data */                                                             \
  X(vm_instruction_error, 0x4400, bits32, read_only)                                      \
  X(vm_exit_reason, 0x4402, bits32, read_only)                                            \
  X(vm_exit_interruption_information, 0x4404, bits32, read_only)                          \
  X(vm_exit_interruption_error_code, 0x4406, bits32, read_only)                           \
  X(idt_vectoring_information, 0x4408, bits32, read_only)                                 \
  X(idt_vectoring_error_code, 0x440A, bits32, read_only)                                  \
  X(vm_exit_instruction_length, 0x440C, bits32, read_only)                                \
  X(vm_exit_instruction_information, 0x440E, bits32, read_only)                           \
  /* 32-bit guest state */                                                                \
  X(guest_es_limit, 0x4800, bits32, guest)                                                \
  X(guest_cs_limit, 0x4802, bits32, guest)                                                \
  X(guest_ss_limit, 0x4804, bits32, guest)                                                \
  X(guest_ds_limit, 0x4806, bits32, guest)                                                \
  X(guest_fs_limit, 0x4808, bits32, guest)                                                \
  X(guest_gs_limit, 0x480A, bits32, guest)                                                \
  X(guest_ldtr_limit, 0x480C, bits32, guest)                                              \
  X(guest_tr_limit, 0x480E, bits32, guest)                                                \
  X(guest_gdtr_limit, 0x4810, bits32, guest)                                              \
  X(guest_idtr_limit, 0x4812, bits32, guest)                                              \
  X(guest_es_access_rights, 0x4814, bits32, guest)                                        \
  X(guest_cs_access_rights, 0x4816, bits32, guest)                                        \
  X(guest_ss_access_rights, 0x4818, bits32, guest)                                        \
  X(guest_ds_access_rights, 0x481A, bits32, guest)                                        \
  X(guest_fs_access_rights, 0x481C, bits32, guest)                                        \
  X(guest_gs_access_rights, 0x481E, bits32, guest)                                        \
  X(guest_ldtr_access_rights, 0x4820, bits32, guest)                                      \
  X(guest_tr_access_rights, 0x4822, bits32, guest)                                        \
  X(guest_interruptibility_state, 0x4824, bits32, guest)                                  \
  X(guest_activity_state, 0x4826, bits32, guest)                                          \
  X(guest_smbase, 0x4828, bits32, guest)                                                  \
  X(guest_ia32_sysenter_cs, 0x482A, bits32, guest)                                        \
  X(vmx_preemption_timer_value, 0x482E, bits32, guest)                                    \
  /* 32-bit host state */                                                                 \
  X(host_ia32_sysenter_cs, 0x4C00, bits32, host)                                          \
  /* Natural-width control */                                                             \
  X(cr0_guest_host_mask, 0x6000, natural, control)                                        \
  X(cr4_guest_host_mask, 0x6002, natural, control)                                        \
  X(cr0_read_shadow, 0x6004, natural, control)                                            \
  X(cr4_read_shadow, 0x6006, natural, control)                                            \
  X(cr3_target_value0, 0x6008, natural, control)                                          \
  X(cr3_target_value1, 0x600A, natural, control)                                          \
  X(cr3_target_value2, 0x600C, natural, control)                                          \
  X(cr3_target_value3, 0x600E, natural, control)                                          \
  /* Natural-width read-only data */                                                      \
  X(exit_qualification, 0x6400, natural, read_only)                                       \
  X(io_rcx, 0x6402, natural, read_only)                                                   \
  X(io_rsi, 0x6404, natural, read_only)                                                   \
  X(io_rdi, 0x6406, natural, read_only)                                                   \
  X(io_rip, 0x6408, natural, read_only)                                                   \
  X(guest_linear_address, 0x640A, natural, read_only)                                     \
  /* Natural-width guest state */                                                         \
  X(guest_cr0, 0x6800, natural, guest)                                                    \
  X(guest_cr3, 0x6802, natural, guest)                                                    \
  X(guest_cr4, 0x6804, natural, guest)                                                    \
  X(guest_es_base, 0x6806, natural, guest)                                                \
  X(guest_cs_base, 0x6808, natural, guest)                                                \
  X(guest_ss_base, 0x680A, natural, guest)                                                \
  X(guest_ds_base, 0x680C, natural, guest)                                                \
  X(guest_fs_base, 0x680E, natural, guest)                                                \
  X(guest_gs_base, 0x6810, natural, guest)                                                \
  X(guest_ldtr_base, 0x6812, natural, guest)                                              \
  X(guest_tr_base, 0x6814, natural, guest)                                                \
  X(guest_gdtr_base, 0x6816, natural, guest)                                              \
  X(guest_idtr_base, 0x6818, natural, guest)                                              \
  X(guest_dr7, 0x681A, natural, guest)                                                    \
  X(guest_rsp, 0x681C, natural, guest)                                                    \
  X(guest_rip, 0x681E, natural, guest)                                                    \
  X(guest_rflags, 0x6820, natural, guest)                                                 \
  X(guest_pending_debug_exceptions, 0x6822, natural, guest)                               \
  X(guest_ia32_sysenter_esp, 0x6824, natural, guest)                                      \
  X(guest_ia32_sysenter_eip, 0x6826, natural, guest)                                      \
  X(guest_ia32_s_cet, 0x6828, natural, guest)                                             \
  X(guest_ssp, 0x682A, natural, guest)                                                    \
  X(guest_ia32_interrupt_ssp_table_addr, 0x682C, natural, guest)                          \
  /* Natural-width host state */                                                          \
  X(host_cr0, 0x6C00, natural, host)                                                      \
  X(host_cr3, 0x6C02, natural, host)                                                      \
  X(host_cr4, 0x6C04, natural, host)                                                      \
  X(host_fs_base, 0x6C06, natural, host)                                                  \
  X(host_gs_base, 0x6C08, natural, host)                                                  \
  X(host_tr_base, 0x6C0A, natural, host)                                                  \
  X(host_gdtr_base, 0x6C0C, natural, host)                                                \
  X(host_idtr_base, 0x6C0E, natural, host)                                                \
  X(host_ia32_sysenter_esp, 0x6C10, natural, host)                                        \
  X(host_ia32_sysenter_eip, 0x6C12, natural, host)                                        \
  X(host_rsp, 0x6C14, natural, host)                                                      \
  X(host_rip, 0x6C16, natural, host)                                                      \
  X(host_ia32_s_cet, 0x6C18, natural, host)                                               \
  X(host_ssp, 0x6C1A, natural, host)                                                      \
  X(host_ia32_interrupt_ssp_table_addr, 0x6C1C, natural, host)
// clang-format on

// An alias, not a struct: a TU instantiates named_field<E, row> only for the
// fields it uses, so the ~280 names cost about as little as constants. (A
// struct per field, derived from field<E>, was most of the header's compile
// time.) The row's tag, an incomplete type, costs next to nothing. The width
// and type columns are checked once for all rows, below.
#define VIRTOPS_VMCS_DECLARE(name, enc, w, t) \
  namespace detail::row {                     \
  struct name;                                \
  }                                           \
  using name = detail::named_field<enc, detail::row::name>;
#define VIRTOPS_VMCS_DECLARE64(name, enc, t) \
  VIRTOPS_VMCS_DECLARE(name, enc, bits64, t) \
  VIRTOPS_VMCS_DECLARE(name##_high, enc + 1, bits64, t)
VIRTOPS_VMCS_FIELDS(VIRTOPS_VMCS_DECLARE, VIRTOPS_VMCS_DECLARE64)
#undef VIRTOPS_VMCS_DECLARE64
#undef VIRTOPS_VMCS_DECLARE

/// One row of the table, for run-time lookups.
struct field_info {
  const char* name;
  std::uint32_t encoding;
  width declared_width;
  field_type declared_type;
};

#define VIRTOPS_VMCS_ROW(name, enc, w, t) field_info{#name, enc, width::w, field_type::t},
#define VIRTOPS_VMCS_ROW64(name, enc, t) \
  VIRTOPS_VMCS_ROW(name, enc, bits64, t) VIRTOPS_VMCS_ROW(name##_high, enc + 1, bits64, t)
/// Every field of the table (64-bit fields twice: full and high).
inline constexpr field_info all_fields[] = {
    VIRTOPS_VMCS_FIELDS(VIRTOPS_VMCS_ROW, VIRTOPS_VMCS_ROW64)};
#undef VIRTOPS_VMCS_ROW64
#undef VIRTOPS_VMCS_ROW

namespace detail {
// Called, in the constant expression below, only for a row whose encoding's
// bits disagree with the width and type the SDM lists it under, or that is
// out of order: a call to a function that is not constexpr fails the
// static_assert, and the error names the function. Clang's notes also name
// the row ("in call to 'check_row(&"guest_cs_selector"[0], ...)'"); with GCC,
// tests/vmcs, which checks every row at run time, does.
inline void vmcs_table_row_encoding_disagrees_with_the_sdm_width_or_type(const char*) noexcept {}
inline void vmcs_table_row_out_of_ascending_encoding_order(const char*) noexcept {}

constexpr void check_row(const char* row, bool agrees, bool in_order) noexcept {
  if (!agrees) vmcs_table_row_encoding_disagrees_with_the_sdm_width_or_type(row);
  if (!in_order) vmcs_table_row_out_of_ascending_encoding_order(row);
}

constexpr bool table_rows_agree() noexcept {
  std::uint32_t previous = 0;
  for (const field_info& f : all_fields) {
    const decoded d = decode(f.encoding);
    check_row(f.name, d.valid && d.w == f.declared_width && d.type == f.declared_type,
              &f == all_fields || f.encoding > previous);
    previous = f.encoding;
  }
  return true;
}
}  // namespace detail

// Every row at once (a static_assert per row cost more than the rest of
// the table). The field types take their width and type from the same
// encoding bits, through field<E>.
static_assert(detail::table_rows_agree(),
              "VMCS table: a row's encoding disagrees with the SDM's width/type, or is out of "
              "ascending order (the note names which)");

/// The field's name, or nullptr for an encoding not in the table.
constexpr const char* name_of(std::uint64_t encoding) noexcept {
  // The table is in ascending order of encoding (the SDM's order; checked
  // above): a binary search, so that field<E>::field_name is cheap.
  std::size_t lo = 0, hi = sizeof(all_fields) / sizeof(all_fields[0]);
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (all_fields[mid].encoding < encoding)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < sizeof(all_fields) / sizeof(all_fields[0]) && all_fields[lo].encoding == encoding
             ? all_fields[lo].name
             : nullptr;
}

}  // namespace virtops::vmcs
