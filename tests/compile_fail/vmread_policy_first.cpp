// vmread<P, F>(): the field and the policy swapped; the error says the order.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
namespace policy = virtops::policy;
virtops::result<std::uint64_t> read() {
#ifdef VIRTOPS_EXPECT_FAILURE
  return virtops::vmx::vmread<policy::panic, vmcs::guest_rip>();
#else
  return virtops::vmx::vmread<vmcs::guest_rip, policy::panic>();
#endif
}
