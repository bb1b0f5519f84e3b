// VMWRITE to a VM-exit information field must not compile.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
virtops::status write() {
#ifdef VIRTOPS_EXPECT_FAILURE
  return virtops::vmx::vmwrite<vmcs::vm_exit_reason>(std::uint32_t{0});
#else
  return virtops::vmx::vmwrite<vmcs::guest_es_limit>(std::uint32_t{0});
#endif
}
