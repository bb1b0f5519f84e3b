// The 32-read handler of every variant as a plain extern "C" function, for
// the code-size report (bench/report.py reads the object file that
// scripts/bench.sh compiles from this with -ffunction-sections). Not run.
#include "workload.hpp"

#define SIZE_HANDLER(v)                                                                           \
  extern "C"                                                                                      \
      [[gnu::noinline]] bool size_handler_##v(const std::uint64_t* f, workload::exit_info& out) { \
    return workload::handler32<workload::variant::v>(f, out);                                     \
  }

SIZE_HANDLER(bare)
SIZE_HANDLER(virtops)
SIZE_HANDLER(jmp_call)
SIZE_HANDLER(setcc)
SIZE_HANDLER(pushf)
SIZE_HANDLER(call)
