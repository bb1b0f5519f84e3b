// vmwrite<P>(v) without a field: the error says what is expected.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
namespace policy = virtops::policy;
virtops::status write(std::uint64_t rip) {
#ifdef VIRTOPS_EXPECT_FAILURE
  return virtops::vmx::vmwrite<policy::ignore>(rip);
#else
  return virtops::vmx::vmwrite<policy::ignore>(vmcs::guest_rip::encoding, rip);
#endif
}
