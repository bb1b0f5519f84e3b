// The guest both suites run: it changes every GPR it is given by a known
// amount, exits with the given instruction (VMCALL or VMMCALL), then HLTs.
#pragma once

#include <virtops/gprs.hpp>

#define RING0_GUEST_PROGRAM(symbol, exit_instruction) \
  asm(".pushsection .text\n"                          \
      ".globl " #symbol "\n" #symbol                  \
      ":\n"                                           \
      "add $1, %rax\n"                                \
      "add $2, %rbx\n"                                \
      "add $3, %rcx\n"                                \
      "add $4, %rdx\n"                                \
      "add $5, %rsi\n"                                \
      "add $6, %rdi\n"                                \
      "add $7, %rbp\n"                                \
      "add $8, %r8\n"                                 \
      "add $9, %r15\n" exit_instruction               \
      "\nhlt\n"                                       \
      "ud2\n"                                         \
      ".popsection")

// What the guest starts with (RAX goes into the VMCB on SVM).
constexpr virtops::gprs guest_input{.rax = 0x100,
                                    .rbx = 0x200,
                                    .rcx = 0x300,
                                    .rdx = 0x400,
                                    .rsi = 0x500,
                                    .rdi = 0x600,
                                    .rbp = 0x700,
                                    .r8 = 0x800,
                                    .r9 = 0,
                                    .r10 = 0,
                                    .r11 = 0,
                                    .r12 = 0,
                                    .r13 = 0,
                                    .r14 = 0,
                                    .r15 = 0xf00};

// True if `g` (and the guest's RAX, from wherever the CPU keeps it) hold
// what the guest program leaves.
constexpr bool guest_output_ok(const virtops::gprs& g, std::uint64_t rax) {
  return rax == 0x101 && g.rbx == 0x202 && g.rcx == 0x303 && g.rdx == 0x404 && g.rsi == 0x505 &&
         g.rdi == 0x606 && g.rbp == 0x707 && g.r8 == 0x808 && g.r15 == 0xf09;
}
