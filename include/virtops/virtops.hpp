/// \file
/// virtops: fault-tolerant x86 VMX/SVM (and RDMSR/WRMSR/XSETBV) instruction wrappers.
/// Everything but the trap adapters <virtops/posix.hpp>, <virtops/windows.hpp> and
/// <virtops/uefi.hpp>, which need their platform.
#pragma once

#include "checked.hpp"
#include "config.hpp"
#include "ept.hpp"
#include "extable.hpp"
#include "fault.hpp"
#include "format.hpp"
#include "gprs.hpp"
#include "insn.hpp"
#include "io_bitmap.hpp"
#include "msr.hpp"
#include "msr_bitmap.hpp"
#include "panic.hpp"
#include "policy.hpp"
#include "segment.hpp"
#include "status.hpp"
#include "svm.hpp"
#include "svm_controls.hpp"
#include "svm_event.hpp"
#include "svm_exit_info.hpp"
#include "svm_features.hpp"
#include "trap.hpp"
#include "vm_instruction_error.hpp"
#include "vmcb.hpp"
#include "vmcs.hpp"
#include "vmx.hpp"
#include "vmx_capabilities.hpp"
#include "vmx_controls.hpp"
#include "vmx_event.hpp"
#include "vmx_exit_qualification.hpp"
#include "vmx_exit_reason.hpp"
#include "vmx_read_capabilities.hpp"
#include "xcr.hpp"

#define VIRTOPS_VERSION_MAJOR 0
#define VIRTOPS_VERSION_MINOR 1
#define VIRTOPS_VERSION_PATCH 0
