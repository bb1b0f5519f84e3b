// A constant that does not fit the field must not compile; one that does,
// of any integer type, compiles.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
virtops::status write() {
#ifdef VIRTOPS_EXPECT_FAILURE
  return virtops::vmx::vmwrite<vmcs::guest_cs_selector>(0x10000);
#else
  return virtops::vmx::vmwrite<vmcs::guest_cs_selector>(0xffff);
#endif
}
