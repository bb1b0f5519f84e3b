// Runs code that must die (or exit) in a child process.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

// Runs `body` in a forked child, which exits 0 if `body` returns; returns its
// wait status.
template <class F>
int in_child(F body) {
  const pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}
