// High access (bit 0) on a field that is not 64-bit must not compile.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
#ifdef VIRTOPS_EXPECT_FAILURE
struct my_field : vmcs::field<0x4401> {};  // 32-bit
#else
struct my_field : vmcs::field<0x2401> {};  // 64-bit, high half
#endif
std::uint32_t encoding() { return my_field::encoding; }
