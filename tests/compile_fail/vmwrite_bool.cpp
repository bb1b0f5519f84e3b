// bool is an integer type, but not a field's value.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
virtops::status write() {
#ifdef VIRTOPS_EXPECT_FAILURE
  return virtops::vmx::vmwrite<vmcs::guest_activity_state>(true);
#else
  return virtops::vmx::vmwrite<vmcs::guest_activity_state>(1);
#endif
}
