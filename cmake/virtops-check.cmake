# virtops_check_image(<target> [EXPECT_ALL_SITES] [EXPECT_HOT_PATH])
#
# After <target> (an executable, shared library or module) links, checks its
# exception table with virtops-extable-verify; a bad image fails the build
# and is renamed <image>.rejected, so no later build takes it for good. The
# verifier always checks that every entry is on a VMX/SVM instruction of its
# kind, one entry per site, each fixup in the site's function, the table
# sortable. With objdump (VIRTOPS_OBJDUMP: GNU objdump, found by default):
#   EXPECT_ALL_SITES  every VMX/SVM instruction objdump finds has an entry
#                     (only for images where each is meant to be wrapped).
#   EXPECT_HOT_PATH   after each site, and its one jbe for VMX, no jmp and no
#                     call (for optimized builds: -O0 and GCC -Os have them).
# The verifier is the imported virtops::extable-verify, or the in-tree target
# of that name, or VIRTOPS_EXTABLE_VERIFY (a host executable: when cross
# compiling). Logs in <build dir>/virtops-check/<target>/.
#
# Run as a script (cmake -P, with -D IMAGE, VERIFY, WORK, OBJDUMP,
# EXPECT_ALL_SITES, EXPECT_HOT_PATH) this file is that build step.

if(CMAKE_SCRIPT_MODE_FILE AND CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  file(MAKE_DIRECTORY "${WORK}")
  set(args "")
  if(OBJDUMP)
    execute_process(COMMAND "${OBJDUMP}" -d --no-show-raw-insn "${IMAGE}"
      OUTPUT_FILE "${WORK}/image.dis" ERROR_VARIABLE err RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "virtops_check_image: ${OBJDUMP} failed on ${IMAGE}: ${err}")
    endif()
    if(EXPECT_ALL_SITES)
      # As tests/freestanding/check.sh: objdump's names of every VMX/SVM instruction.
      set(insns "vmxon|vmxoff|vmclear|vmptrld|vmptrst|vmread|vmwrite|invept|invvpid|vmlaunch|vmresume|vmcall|vmrun|vmload|vmsave|stgi|clgi|invlpga|vmmcall")
      file(STRINGS "${WORK}/image.dis" lines REGEX "^ +[0-9a-f]+:\t(${insns})( |$)")
      set(sites "")
      foreach(line IN LISTS lines)
        string(REGEX REPLACE "^ +([0-9a-f]+):.*" "\\1\n" site "${line}")
        string(APPEND sites "${site}")
      endforeach()
      file(WRITE "${WORK}/image.sites" "${sites}")
      list(APPEND args --expect-sites "${WORK}/image.sites")
    endif()
    if(EXPECT_HOT_PATH)
      list(APPEND args --hot-path "${WORK}/image.dis")
    endif()
  endif()
  execute_process(COMMAND "${VERIFY}" ${args} "${IMAGE}"
    OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
  file(WRITE "${WORK}/verify.log" "${out}")
  if(NOT rc EQUAL 0)
    file(RENAME "${IMAGE}" "${IMAGE}.rejected")
    message("${out}virtops_check_image: ${IMAGE} failed the exception-table check "
      "(exit status ${rc}); it is now ${IMAGE}.rejected")
    message(FATAL_ERROR "virtops_check_image: check failed")
  endif()
  return()
endif()

function(virtops_check_image target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "EXPECT_ALL_SITES;EXPECT_HOT_PATH" "" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "virtops_check_image: unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  get_target_property(type ${target} TYPE)
  if(NOT type MATCHES "^(EXECUTABLE|SHARED_LIBRARY|MODULE_LIBRARY)$")
    message(FATAL_ERROR "virtops_check_image: ${target} is a ${type}, not a linked image")
  endif()

  if(VIRTOPS_EXTABLE_VERIFY)
    set(verify "${VIRTOPS_EXTABLE_VERIFY}")
  elseif(TARGET virtops::extable-verify)
    set(verify "$<TARGET_FILE:virtops::extable-verify>")
    get_target_property(built virtops::extable-verify ALIASED_TARGET)
    if(built)  # in the tree: built before the image is checked
      add_dependencies(${target} ${built})
    endif()
  else()
    message(FATAL_ERROR "virtops_check_image: no virtops::extable-verify (virtops installed "
      "without VIRTOPS_INSTALL_TOOLS, or cross compiling): set VIRTOPS_EXTABLE_VERIFY to a "
      "host build of it")
  endif()

  set(objdump "")
  if(arg_EXPECT_ALL_SITES OR arg_EXPECT_HOT_PATH)
    if(NOT DEFINED VIRTOPS_OBJDUMP)
      # The sites' regex wants GNU objdump's text: the toolchain's (a cross
      # prefix) unless it is LLVM's.
      if(CMAKE_OBJDUMP AND NOT CMAKE_OBJDUMP MATCHES "llvm-objdump")
        set(VIRTOPS_OBJDUMP "${CMAKE_OBJDUMP}" CACHE FILEPATH "GNU objdump for virtops_check_image")
      else()
        find_program(VIRTOPS_OBJDUMP NAMES objdump DOC "GNU objdump for virtops_check_image")
      endif()
    endif()
    if(VIRTOPS_OBJDUMP)
      set(objdump "${VIRTOPS_OBJDUMP}")
    else()
      message(WARNING "virtops_check_image(${target}): no objdump, so no EXPECT_ALL_SITES or "
        "EXPECT_HOT_PATH check; set VIRTOPS_OBJDUMP")
    endif()
  endif()

  set(work "${CMAKE_CURRENT_BINARY_DIR}/virtops-check/${target}")
  get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi_config)
    string(APPEND work "/$<CONFIG>")
  endif()
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND "${CMAKE_COMMAND}" "-DIMAGE=$<TARGET_FILE:${target}>" "-DVERIFY=${verify}"
            "-DWORK=${work}" "-DOBJDUMP=${objdump}" "-DEXPECT_ALL_SITES=${arg_EXPECT_ALL_SITES}"
            "-DEXPECT_HOT_PATH=${arg_EXPECT_HOT_PATH}" -P "${CMAKE_CURRENT_FUNCTION_LIST_FILE}"
    COMMENT "virtops: checking the exception table of ${target}"
    VERBATIM)
endfunction()
