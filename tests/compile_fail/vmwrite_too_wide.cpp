// A 32-bit value into a 16-bit field must not compile.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
virtops::status write(std::uint32_t v) {
#ifdef VIRTOPS_EXPECT_FAILURE
  return virtops::vmx::vmwrite<vmcs::guest_cs_selector>(v);
#else
  return virtops::vmx::vmwrite<vmcs::guest_cs_selector>(static_cast<std::uint16_t>(v));
#endif
}
