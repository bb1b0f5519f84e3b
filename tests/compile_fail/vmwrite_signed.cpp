// A run-time signed value (sign extension surprises) must not compile, even
// into a 64-bit field.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
#ifdef VIRTOPS_EXPECT_FAILURE
virtops::status write(int v) {
#else
virtops::status write(unsigned v) {
#endif
  return virtops::vmx::vmwrite<vmcs::guest_rip>(v);
}
