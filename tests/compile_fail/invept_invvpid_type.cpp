// An INVVPID type given to INVEPT must not compile.
#include <virtops/virtops.hpp>
namespace vmx = virtops::vmx;
virtops::status flush(std::uint64_t eptp) {
#ifdef VIRTOPS_EXPECT_FAILURE
  return vmx::invept(vmx::invvpid_type::single_context, {eptp});
#else
  return vmx::invept(vmx::invept_type::single_context, {eptp});
#endif
}
