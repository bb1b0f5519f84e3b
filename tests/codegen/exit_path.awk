# The exit path of each guest-entry function named in `want`
# (space-separated), from `objdump -d --no-show-raw-insn` output: from where
# the guest's exit lands straight on to the first ret, following
# unconditional jumps within the function and taking no conditional branch,
# as trace.awk does from a function's entry. The landing is, for VMX, the
# HOST_RIP the function writes (the `lea ...(%rip),%rdx` just before
# `mov $0x6c16,%ecx`) and, for SVM, the instruction after vmrun.
#   awk -v want="f g" -f exit_path.awk <disassembly>
# With -v measure=1, one line per function instead: its name, then
# instructions and bytes from the landing to the end of the wrapper's asm
# (the host restore's `lea 0x80(%rsp),%rsp`), the zeroing XORs (`xor %eXX,%eXX`
# or `xor %rNd,%rNd`) among them, and instructions and bytes up to the ret.
# Bytes are address differences, so a jump followed counts its own size.

/^[0-9a-f]+ <.*>:$/ { name = substr($2, 2, length($2) - 3); n[name] = 0; next }
/^$/ { name = ""; next }
name != "" && /^ +[0-9a-f]+:\t/ {
  split($0, part, "\t"); a = part[1]; gsub(/[ :]/, "", a)
  i = n[name]++; line[name, i] = part[2] " " part[3]; sub(/[ \t]+$/, "", line[name, i])
  addr[name, i] = a; index_of[name, a] = i
}

function hex(s,    v, k, c) {
  v = 0
  for (k = 1; k <= length(s); k++) {
    c = index("0123456789abcdef", substr(s, k, 1)); v = v * 16 + c - 1
  }
  return v
}

# The index of the first instruction of fn's exit path, or -1.
function landing(fn,    i, w, t) {
  for (i = 0; i < n[fn]; i++) {
    split(line[fn, i], w, " ")
    if (w[1] == "vmrun") return i + 1 < n[fn] ? i + 1 : -1
    if (w[1] == "lea" && line[fn, i] ~ /\(%rip\),%rdx/ && i + 1 < n[fn] &&
        line[fn, i + 1] ~ /^mov +\$0x6c16,%ecx/) {
      t = line[fn, i]; sub(/.*# */, "", t); sub(/ .*/, "", t)
      return (fn, t) in index_of ? index_of[fn, t] : -1
    }
  }
  return -1
}

function size(fn, i) {
  return i + 1 < n[fn] ? hex(addr[fn, i + 1]) - hex(addr[fn, i]) : 1
}

END {
  k = split(want, f, " ")
  for (j = 1; j <= k; j++) {
    fn = f[j]
    if (!measure) print "<" fn ">:"
    i = landing(fn)
    if (i < 0) {
      if (measure) print fn, "-", "-", "-", "-", "-", "-"
      else print " (no landing found)"
      continue
    }
    insns = 0; bytes = 0; in_asm = 1; asm_insns = 0; asm_bytes = 0; xors = 0; xor_bytes = 0
    for (steps = 0; i < n[fn] && steps < 400; steps++) {
      if (!measure) print " " line[fn, i]
      split(line[fn, i], w, " ")
      insns++; bytes += size(fn, i)
      if (in_asm) {
        asm_insns++; asm_bytes += size(fn, i)
        if (w[1] == "xor" && split(w[2], r, ",") == 2 && r[1] == r[2] && r[1] ~ /^%(e[a-z]+|r[0-9]+d)$/) {
          xors++; xor_bytes += size(fn, i)
        }
        if (w[1] == "lea" && w[2] == "0x80(%rsp),%rsp") in_asm = 0
      }
      if (w[1] == "ret") break
      if (w[1] == "jmp") {
        if (!((fn, w[2]) in index_of)) break  # leaves the function
        i = index_of[fn, w[2]]; continue
      }
      i++
    }
    if (measure) print fn, asm_insns, asm_bytes, xors, xor_bytes, insns, bytes
  }
}
