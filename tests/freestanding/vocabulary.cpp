// The bring-up vocabulary (SVM features, controls, events, EXITINFO, the
// permission bitmaps) used at run time, on values the compiler cannot fold,
// in a freestanding static ELF: it must link with nothing undefined (no
// memset for the bitmap fills, no library call in a decoder).
#include <virtops/io_bitmap.hpp>
#include <virtops/msr_bitmap.hpp>
#include <virtops/svm_controls.hpp>
#include <virtops/svm_event.hpp>
#include <virtops/svm_exit_info.hpp>
#include <virtops/svm_features.hpp>

namespace {

namespace svm = virtops::svm;
namespace vmx = virtops::vmx;
namespace vmcb = virtops::vmcb;

// Inputs the optimizer cannot see through.
volatile std::uint64_t input[4] = {0x3F80210, 0x1234, 0x80000B0D, 0xC0000080};
volatile std::uint64_t sink;

alignas(4096) svm::io_permission_map iopm;
alignas(4096) svm::msr_permission_map msrpm;
vmx::msr_bitmap msr_bitmap;
vmx::io_bitmaps io_bitmaps;

std::uint64_t use() {
  std::uint64_t r = 0;
  const auto io = svm::decode_ioio(input[0], input[1]);
  r += io.ok() ? io.value().port : 0;
  const auto e = svm::reinjection(static_cast<std::uint32_t>(input[2]), 13);
  r += e.ok() ? e.value().raw() : 0;
  r += svm::decode_npf(input[1], input[0]).final_translation();
  r += svm::decode_cr_access(input[1]).gpr;
  const auto intr = vmcb::with(static_cast<std::uint32_t>(input[1]), vmcb::int_control::v_irq, 1);
  r += intr.value_or(0);
  const svm::features f{static_cast<std::uint32_t>(input[0]), static_cast<std::uint32_t>(input[1]),
                        static_cast<std::uint32_t>(input[2])};
  r += f.has(svm::feature::nrip_save);
  r += static_cast<unsigned>(svm::check_availability(4, input[1], f));
  iopm.intercept_all();
  iopm.pass_through(static_cast<std::uint16_t>(input[0]));
  r += iopm.exits(static_cast<std::uint16_t>(input[1]), 2).value_or(true);
  io_bitmaps.intercept_all();
  io_bitmaps.pass_through(static_cast<std::uint16_t>(input[1]));
  r += io_bitmaps.exits(static_cast<std::uint16_t>(input[0]), 4).value_or(true);
  const auto msr = static_cast<std::uint32_t>(input[3]);
  r += static_cast<unsigned>(msrpm.intercept(msr, virtops::msr_access::read_write));
  r += static_cast<unsigned>(msr_bitmap.pass_through(msr, virtops::msr_access::write));
  r += msrpm.exits(msr, virtops::msr_access::read) +
       msr_bitmap.exits(msr, virtops::msr_access::read);
  r += svm::to_string(svm::feature::vnmi)[0];
  return r;
}

}  // namespace

extern "C" [[noreturn]] void _start() {
  sink = use();
  for (;;) asm volatile("hlt");
}
