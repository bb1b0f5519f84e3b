// A negative constant must not compile (it is not the field's maximum).
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
virtops::status write() {
#ifdef VIRTOPS_EXPECT_FAILURE
  return virtops::vmx::vmwrite<vmcs::guest_rip>(-1);
#else
  return virtops::vmx::vmwrite<vmcs::guest_rip>(~0ull);
#endif
}
