/// \file
/// virtops: the bring-up vocabulary (docs/vocabulary.md), all of it: VMX
/// control bits, capability decoders and their reader, exit qualifications,
/// event injection, segment access rights, EPT, the SVM features, control
/// fields, events and EXITINFO decoders, and the MSR and I/O permission
/// bitmaps. Not in <virtops/virtops.hpp>: a TU that only wraps instructions
/// does not pay for it.
#pragma once

#include "checked.hpp"
#include "ept.hpp"
#include "io_bitmap.hpp"
#include "msr_bitmap.hpp"
#include "segment.hpp"
#include "svm_controls.hpp"
#include "svm_event.hpp"
#include "svm_exit_info.hpp"
#include "svm_features.hpp"
#include "vmx_controls.hpp"
#include "vmx_event.hpp"
#include "vmx_exit_qualification.hpp"
#include "vmx_read_capabilities.hpp"
