// VMWRITE to a VM-exit information field must not compile.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
virtops::status write() {
#ifdef VIRTOPS_EXPECT_FAILURE
  return virtops::vmx::vmwrite<vmcs::vm_exit_reason>(0u);
#else
  return virtops::vmx::vmwrite<vmcs::guest_es_limit>(0u);
#endif
}
