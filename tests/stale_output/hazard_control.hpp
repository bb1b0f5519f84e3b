// Controls: the compiler hazards themselves, as small asm goto functions
// that are not virtops. The test records what this compiler and level make
// of them (an observation, never a pass or a failure); the virtops wrappers
// are checked against the same hazard in stale_output_test.cpp.
#pragma once

struct hazard_control {
  const char* name;
  const char* shape;
  long expected;
  long got;
  bool present() const { return got != expected; }
};

inline constexpr unsigned hazard_control_count = 6;

// Runs every control (they are in their own translation unit, noinline, and
// take their inputs at run time); fills `out`.
void run_hazard_controls(hazard_control (&out)[hazard_control_count]);
