// A signed value (sign extension surprises) must not compile.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
virtops::status write() {
#ifdef VIRTOPS_EXPECT_FAILURE
  return virtops::vmx::vmwrite<vmcs::guest_rip>(-1);
#else
  return virtops::vmx::vmwrite<vmcs::guest_rip>(~std::uint64_t{0});
#endif
}
