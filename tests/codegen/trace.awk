# The hot path of each function named in `want` (space-separated), from
# `objdump -d --no-show-raw-insn` output: from its entry, straight on,
# following unconditional jumps within the function and taking no
# conditional branch (the wrappers' branches are to their VMfail stubs), up
# to the first ret. Addresses off, so a FileCheck check can say "next".
#   awk -v want="f g" -f trace.awk <disassembly>

/^[0-9a-f]+ <.*>:$/ { name = substr($2, 2, length($2) - 3); n[name] = 0; next }
/^$/ { name = ""; next }
name != "" && /^ +[0-9a-f]+:\t/ {
  split($0, part, "\t"); addr = part[1]; gsub(/[ :]/, "", addr)
  i = n[name]++; line[name, i] = part[2] " " part[3]; index_of[name, addr] = i
}
END {
  k = split(want, f, " ")
  for (j = 1; j <= k; j++) {
    fn = f[j]; print "<" fn ">:"
    i = 0
    for (steps = 0; i < n[fn] && steps < 400; steps++) {
      print " " line[fn, i]
      split(line[fn, i], w, " ")
      if (w[1] == "ret") break
      if (w[1] == "jmp") {
        if (!((fn, w[2]) in index_of)) break  # leaves the function
        i = index_of[fn, w[2]]; continue
      }
      i++
    }
  }
}
