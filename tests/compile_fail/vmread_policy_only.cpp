// vmread<P>() without a field: the error says what is expected.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
namespace policy = virtops::policy;
virtops::result<std::uint64_t> read() {
#ifdef VIRTOPS_EXPECT_FAILURE
  return virtops::vmx::vmread<policy::ignore>();
#else
  return virtops::vmx::vmread<vmcs::guest_rip, policy::ignore>();
#endif
}
