// The high half of a 64-bit field holds 32 bits: a 64-bit value must not compile.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
virtops::status write(std::uint64_t v) {
#ifdef VIRTOPS_EXPECT_FAILURE
  return virtops::vmx::vmwrite<vmcs::ept_pointer_high>(v);
#else
  return virtops::vmx::vmwrite<vmcs::ept_pointer_high>(static_cast<std::uint32_t>(v));
#endif
}
