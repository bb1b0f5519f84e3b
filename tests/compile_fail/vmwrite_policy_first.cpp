// vmwrite<P, F>(v): the field and the policy swapped; the error says the order.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
namespace policy = virtops::policy;
virtops::status write(std::uint64_t rip) {
#ifdef VIRTOPS_EXPECT_FAILURE
  return virtops::vmx::vmwrite<policy::panic, vmcs::guest_rip>(rip);
#else
  return virtops::vmx::vmwrite<vmcs::guest_rip, policy::panic>(rip);
#endif
}
