# cmake -DCXX=... -DINCLUDE=... -DSOURCE=... -DEXPECT=regex -P check.cmake
# The source must compile as is (its positive twin), and must fail with
# -DVIRTOPS_EXPECT_FAILURE with a message matching EXPECT: it fails for the
# right reason, not for an unrelated one.
set(flags -std=c++20 -fsyntax-only -Wall -Wextra -Werror -I${INCLUDE} ${SOURCE})
execute_process(COMMAND ${CXX} ${flags} RESULT_VARIABLE ok_rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT ok_rc EQUAL 0)
  message(FATAL_ERROR "the positive twin of ${SOURCE} does not compile:\n${out}")
endif()
execute_process(COMMAND ${CXX} ${flags} -DVIRTOPS_EXPECT_FAILURE
  RESULT_VARIABLE bad_rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(bad_rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled with VIRTOPS_EXPECT_FAILURE, but must not")
endif()
if(NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "${SOURCE} failed, but without \"${EXPECT}\":\n${out}")
endif()
message(STATUS "${SOURCE}: rejected with \"${CMAKE_MATCH_0}\"")
