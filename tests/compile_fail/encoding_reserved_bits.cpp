// A field type whose encoding has reserved bits set must not compile.
#include <virtops/virtops.hpp>
namespace vmcs = virtops::vmcs;
#ifdef VIRTOPS_EXPECT_FAILURE
struct my_field : vmcs::field<0x1800> {};  // bit 12 set
#else
struct my_field : vmcs::field<0x0800> {};
#endif
std::uint32_t encoding() { return my_field::encoding; }
