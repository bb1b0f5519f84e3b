// The high half of a 64-bit field holds 32 bits: a run-time 64-bit value must
// not compile.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
#ifdef VIRTOPS_EXPECT_FAILURE
virtops::status write(std::uint64_t v) {
#else
virtops::status write(std::uint32_t v) {
#endif
  return virtops::vmx::vmwrite<vmcs::ept_pointer_high>(v);
}
