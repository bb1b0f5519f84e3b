// The examples' console: print() and vprint() on port 0xE9 (QEMU's and
// Bochs' debug console), shared by the bare-metal and the UEFI platforms.
#include <cstdint>

#include "baremetal.hpp"

namespace baremetal {
namespace {

void putc(char c) {
  asm volatile("outb %0, %1" : : "a"(static_cast<std::uint8_t>(c)), "Nd"(std::uint16_t{0xe9}));
}
void puts(const char* s) {
  while (*s) putc(*s++);
}

void put_unsigned(unsigned long long v, unsigned base, bool alt) {
  char buf[24];
  int n = 0;
  if (alt && base == 16) puts("0x");
  do {
    const unsigned d = static_cast<unsigned>(v % base);
    buf[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
    v /= base;
  } while (v);
  while (n) putc(buf[--n]);
}

}  // namespace

void vprint(const char* fmt, va_list ap) {
  const auto unsigned_arg = [&](int longs) -> unsigned long long {
    return longs == 2   ? va_arg(ap, unsigned long long)
           : longs == 1 ? va_arg(ap, unsigned long)
                        : va_arg(ap, unsigned);
  };
  for (; *fmt; ++fmt) {
    if (*fmt != '%') {
      putc(*fmt);
      continue;
    }
    bool alt = false;
    int longs = 0;  // l: long, ll: long long (64 bits on LP64 and LLP64 alike)
    ++fmt;
    if (*fmt == '#') alt = true, ++fmt;
    while (*fmt == 'l' && longs < 2) ++longs, ++fmt;
    switch (*fmt) {
      case 's': puts(va_arg(ap, const char*)); break;
      case 'c': putc(static_cast<char>(va_arg(ap, int))); break;
      case 'd': {
        const long long v = longs == 2   ? va_arg(ap, long long)
                            : longs == 1 ? va_arg(ap, long)
                                         : va_arg(ap, int);
        if (v < 0) putc('-');
        put_unsigned(static_cast<unsigned long long>(v < 0 ? -v : v), 10, false);
        break;
      }
      case 'u': put_unsigned(unsigned_arg(longs), 10, false); break;
      case 'x': put_unsigned(unsigned_arg(longs), 16, alt); break;
      case '%': putc('%'); break;
      default: putc('?'); break;
    }
  }
}

void print(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprint(fmt, ap);
  va_end(ap);
}

}  // namespace baremetal
