// An oracle independent of virtops: runs a bare wrapped instruction (VMX,
// SVM, RDMSR, WRMSR, XSETBV) under a plain signal handler and reports what
// the CPU raised.
#pragma once

#include <cstdint>
#include <virtops/insn.hpp>

struct raised {
  bool faulted = false;
  int signo = 0;
  int trapno = -1;
  std::uint32_t error_code = 0;
  std::uint64_t rax = 0;  // after a hypercall that did not fault
};

raised probe(virtops::insn i);

// The signal Linux delivers for an x86 exception vector.
int signal_for_vector(int vector);
