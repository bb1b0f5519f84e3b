# Sourced by the set-up scripts: makes sure Debian packages are installed.
# As root it installs what is missing; otherwise it names what to install.

# Packages every test run needs: the six compilers, Catch2, the emulators and ISO
# tools of the ring-0 suite, Doxygen for the API reference, and for PE/COFF
# lld, MinGW-w64 (its C and C++ libraries for x86_64-w64-windows-gnu), Wine
# and OVMF.
VIRTOPS_TEST_PACKAGES=(cmake ninja-build g++ g++-11 g++-12 clang clang-14 clang-15 clang-16 clang-19
  libclang-rt-14-dev binutils catch2 pkg-config
  qemu-system-x86 bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools doxygen
  llvm-14-tools libbenchmark-dev valgrind lld-19 g++-mingw-w64-x86-64 wine64 ovmf)

ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "virtops: missing Debian packages; install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "virtops: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
