/// \file
/// virtops: fault-tolerant x86 VMX/SVM (and RDMSR/WRMSR/XSETBV) instruction wrappers.
/// The wrappers, their tables and policies: everything but the trap adapters
/// <virtops/posix.hpp>, <virtops/windows.hpp> and <virtops/uefi.hpp>, which
/// need their platform, and the bring-up vocabulary, which has its own
/// umbrella <virtops/vocabulary.hpp> (a TU pays only for what it includes).
#pragma once

#include "config.hpp"
#include "extable.hpp"
#include "fault.hpp"
#include "format.hpp"
#include "gprs.hpp"
#include "insn.hpp"
#include "msr.hpp"
#include "panic.hpp"
#include "policy.hpp"
#include "status.hpp"
#include "svm.hpp"
#include "trap.hpp"
#include "vm_instruction_error.hpp"
#include "vmcb.hpp"
#include "vmcs.hpp"
#include "vmx.hpp"
#include "vmx_capabilities.hpp"
#include "vmx_exit_reason.hpp"
#include "xcr.hpp"

#define VIRTOPS_VERSION_MAJOR 0
#define VIRTOPS_VERSION_MINOR 1
#define VIRTOPS_VERSION_PATCH 0
