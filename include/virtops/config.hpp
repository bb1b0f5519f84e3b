/// \file
/// virtops: compiler and target configuration shared by every header.
#pragma once

#if !defined(__x86_64__)
#error "virtops wraps x86-64 VMX/SVM instructions and needs an x86-64 target"
#endif
// Clang in MSVC mode (clang-cl, --target=x86_64-pc-windows-msvc) has GNU
// inline asm but does not define __GNUC__.
#if !defined(__GNUC__) && !defined(__clang__)
#error "virtops needs GNU inline asm (GCC or Clang; MSVC has none on x64: use clang-cl)"
#endif

/// The object format the exception-table entries are written for: ELF, or
/// PE/COFF (UEFI applications and Windows programs and drivers, built as
/// `x86_64-pc-windows-msvc` or `x86_64-w64-windows-gnu`).
#if defined(__ELF__)
#define VIRTOPS_DETAIL_COFF 0
#elif defined(_WIN32)
#define VIRTOPS_DETAIL_COFF 1
#else
#error "virtops writes its exception table for ELF and PE/COFF only"
#endif

#if VIRTOPS_DETAIL_COFF && !defined(__clang__)
#error \
    "virtops on PE/COFF needs Clang (17 or later) and lld: GNU as rejects the table's section directives and GNU ld keeps the entries of discarded COMDATs"
#endif
#if VIRTOPS_DETAIL_COFF && __clang_major__ < 17
#error \
    "virtops on PE/COFF needs Clang 17 or later: the assembler of Clang 14 to 16 rejects .pushsection/.popsection for COFF"
#endif

/// asm goto with output operands: GCC 11+ and Clang 11+ (Linux: CC_HAS_ASM_GOTO_OUTPUT).
/// Define it to 0 before including virtops to force the memory-operand fallback.
#ifndef VIRTOPS_HAS_ASM_GOTO_OUTPUT
#if defined(__clang__)
#if __clang_major__ >= 11
#define VIRTOPS_HAS_ASM_GOTO_OUTPUT 1
#else
#define VIRTOPS_HAS_ASM_GOTO_OUTPUT 0
#endif
#elif __GNUC__ >= 11
#define VIRTOPS_HAS_ASM_GOTO_OUTPUT 1
#else
#define VIRTOPS_HAS_ASM_GOTO_OUTPUT 0
#endif
#endif

/// Wrappers must inline so that each call site is its own table entry and the
/// hot path is the instruction in the caller's body.
#define VIRTOPS_ALWAYS_INLINE [[gnu::always_inline]] inline

/// Failure and fault handling: never inlined, placed in .text.unlikely.
#define VIRTOPS_COLD [[gnu::cold, gnu::noinline]]
