// A run-time unsigned (32 bits) into a 16-bit field must not compile: the
// error names the fix (a std::uint16_t, or vmwrite_checked).
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
#ifdef VIRTOPS_EXPECT_FAILURE
virtops::status write(unsigned v) {
#else
virtops::status write(std::uint16_t v) {
#endif
  return virtops::vmx::vmwrite<vmcs::guest_cs_selector>(v);
}
