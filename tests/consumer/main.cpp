// Faults one wrapper under the POSIX adapter and prints what it got.
#include <cstdio>
#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>

int main() {
  virtops::posix::trap_guard guard;
  const virtops::status s = virtops::vmx::vmxoff();
  std::printf("vmxoff: %s vector=%u\n", virtops::to_string(s.code()), unsigned{s.fault().vector});
  return s.code() == virtops::errc::fault ? 0 : 1;
}
