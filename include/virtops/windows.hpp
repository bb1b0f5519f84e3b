/// \file
/// virtops: the Windows user-mode trap adapter (a vectored exception handler).
///
/// In a Windows program the VMX/SVM instructions fault, and Windows reports
/// an exception code, not a vector or an error code. A trap_guard routes
/// those exceptions through the exception table so the wrappers' fault paths
/// run for real, as they do in ring 0 and under posix::trap_guard. The vector
/// recorded is the one the code stands for, as Windows and Wine raise them:
///
/// | exception code | raised for | vector |
/// |---|---|---|
/// | `EXCEPTION_ILLEGAL_INSTRUCTION` (0xC000001D) | `#UD` | `#UD` (6) |
/// | `EXCEPTION_PRIV_INSTRUCTION` (0xC0000096) | `#GP(0)` of a privileged instruction at CPL 3 |
/// `#GP` (13) | | `EXCEPTION_ACCESS_VIOLATION` (0xC0000005), address ~0 | any other `#GP` (no
/// address) | `#GP` (13) | | `EXCEPTION_ACCESS_VIOLATION` (0xC0000005), another address | `#PF` at
/// that address | `#PF` (14) |
///
/// The error code is not reported: the record's is 0. Every other exception,
/// and these anywhere but at a wrapper's site, goes on to the next handler
/// (other vectored handlers, then the SEH frames, then the unhandled-exception
/// filter), untouched. For drivers see docs/integration.md: kernel mode has
/// no vectored handlers.
#pragma once

#include "config.hpp"

#if !defined(_WIN32)
#error "<virtops/windows.hpp> is the Windows adapter; on Linux use <virtops/posix.hpp>"
#endif
#if defined(_KERNEL_MODE)
#error \
    "<virtops/windows.hpp> is for user mode: a driver has no vectored exception handlers (docs/integration.md, 'Windows drivers')"
#endif

#include <windows.h>

#include <cstdint>

#include "extable.hpp"

namespace virtops::windows {

/// The exception codes a wrapper's fault arrives as (winnt.h / ntstatus.h).
inline constexpr std::uint32_t illegal_instruction = 0xC000001Du;
inline constexpr std::uint32_t privileged_instruction = 0xC0000096u;
inline constexpr std::uint32_t access_violation = 0xC0000005u;

/// The vector an exception stands for (the table above), or 0xff for a code
/// that is no wrapper's fault. `info_count` and `info` are the record's
/// NumberParameters and ExceptionInformation.
constexpr std::uint8_t vector_of(std::uint32_t code, std::uint32_t info_count,
                                 const std::uintptr_t* info) noexcept {
  switch (code) {
    case illegal_instruction: return vector::ud;
    case privileged_instruction: return vector::gp;
    case access_violation:
      // ExceptionInformation[1] is the inaccessible address; a #GP has none.
      return info_count >= 2 && info[1] != ~std::uintptr_t{0} ? vector::pf : vector::gp;
    default: return 0xff;
  }
}

namespace detail {

inline LONG CALLBACK on_exception(EXCEPTION_POINTERS* e) noexcept {
  if (e == nullptr || e->ExceptionRecord == nullptr || e->ContextRecord == nullptr)
    return EXCEPTION_CONTINUE_SEARCH;
  const EXCEPTION_RECORD& r = *e->ExceptionRecord;
  // A fault raised by the CPU is continuable and was raised at the RIP of
  // the context; RaiseException's are not at a site either way.
  if ((r.ExceptionFlags & EXCEPTION_NONCONTINUABLE) != 0) return EXCEPTION_CONTINUE_SEARCH;
  std::uintptr_t info[2] = {};
  const std::uint32_t count = r.NumberParameters < 2 ? r.NumberParameters : 2;
  for (std::uint32_t i = 0; i < count; ++i) info[i] = r.ExceptionInformation[i];
  const std::uint8_t v = vector_of(static_cast<std::uint32_t>(r.ExceptionCode), count, info);
  if (v == 0xff) return EXCEPTION_CONTINUE_SEARCH;
  const std::uintptr_t continuation =
      extable::fixup(static_cast<std::uintptr_t>(e->ContextRecord->Rip), v, 0);
  if (continuation == 0) return EXCEPTION_CONTINUE_SEARCH;
  e->ContextRecord->Rip = static_cast<DWORD64>(continuation);
  return EXCEPTION_CONTINUE_EXECUTION;
}

}  // namespace detail

/// While it exists, faults at virtops sites anywhere in the process are fixed
/// up, on every thread; every other exception goes on to the next handler as
/// if the guard were not there. Its handler is first in the vectored list.
/// Guards may nest (each adds a handler; the first one called claims the
/// fault) and may be created and destroyed on any thread.
class trap_guard {
 public:
  trap_guard() noexcept {
    extable::table& own = extable::this_module();
    // No signal can interrupt the sort here: a fault on another thread
    // during it waits for it to end (extable::table::find()).
    own.sort();
    // Makes this module's sites visible to a guard living in another module
    // (a DLL using virtops under an executable's guard).
    extable::register_table(own);
    handle_ = AddVectoredExceptionHandler(1, &detail::on_exception);
  }
  ~trap_guard() {
    if (handle_ != nullptr) RemoveVectoredExceptionHandler(handle_);
  }
  trap_guard(const trap_guard&) = delete;
  trap_guard& operator=(const trap_guard&) = delete;

  /// False if Windows refused the handler (then faults are not caught).
  bool installed() const noexcept { return handle_ != nullptr; }

 private:
  PVOID handle_ = nullptr;
};

}  // namespace virtops::windows
