#!/usr/bin/env bash
# Compile time of the headers: times `-std=c++20 -fsyntax-only` of one-line
# translation units (empty; the standard headers; virtops/virtops.hpp; each
# public header alone; virtops.hpp without the C++ library) with each
# compiler, and regenerates docs/benchmarks.md between its
# compile-time:begin/compile-time:end markers. scripts/bench.sh calls it.
#   scripts/compile_time.sh
#   VIRTOPS_CT_BEFORE=<git rev>  also times that revision's headers, side by side
#   VIRTOPS_CT_RUNS=15           runs of each case (the fastest is reported)
#   VIRTOPS_CT_COMPILERS="g++-12 clang++-14 clang++-19"
# Every run of every case and compiler alternates with the others, so load
# on the shared machine hits them alike; the figure is the fastest run's CPU
# time (user + system of the compiler), which waiting for a core does not
# inflate. Raw results go to $VIRTOPS_BUILD_ROOT/compile-time/ (default:
# build/ in the source tree).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${VIRTOPS_BUILD_ROOT:-$root/build}/compile-time
rm -rf "$out"
mkdir -p "$out"
before=${VIRTOPS_CT_BEFORE:-}
if [ -n "$before" ]; then
  mkdir -p "$out/before"
  git -C "$root" archive "$before" include | tar -x -C "$out/before"
  before=$(git -C "$root" rev-parse --short "$before")
fi
exec python3 - "$root" "$out" "$before" "${VIRTOPS_CT_RUNS:-15}" \
  "${VIRTOPS_CT_COMPILERS:-g++-12 clang++-14 clang++-19}" <<'EOF'
import collections, json, os, re, resource, shutil, subprocess, sys

root, out, before, runs, compilers = sys.argv[1:]
runs = int(runs)
compilers = [c for c in compilers.split() if shutil.which(c)]
inc = f"{root}/include"
# windows.hpp is Windows' own hosted adapter: it needs <windows.h>.
headers = sorted(
    f"virtops/{h}" for h in os.listdir(f"{inc}/virtops")
    if h.endswith(".hpp") and h != "windows.hpp")

# (label, source, flags)
cases = [
    ("empty TU", "", []),
    ("`<cstdint>`", "#include <cstdint>\n", []),
    ("`<cstdint>` `<cstddef>`", "#include <cstddef>\n#include <cstdint>\n", []),
    ("`<cstdint>` `<cstddef>` `<type_traits>` `<concepts>`",
     "#include <concepts>\n#include <cstddef>\n#include <cstdint>\n#include <type_traits>\n", []),
]
if before:
    for h in ["virtops/virtops.hpp", "virtops/vmcs.hpp"]:
        cases.append((f"`{h}` at {before}", f"#include <{h}>\n", [f"-I{out}/before/include"]))
cases.append(("`virtops/virtops.hpp`", "#include <virtops/virtops.hpp>\n", [f"-I{inc}"]))
cases.append(("`virtops/virtops.hpp`, `-ffreestanding -nostdinc++`",
              "#include <virtops/virtops.hpp>\n", [f"-I{inc}", "-ffreestanding", "-nostdinc++"]))
for h in headers:
    if h != "virtops/virtops.hpp":
        cases.append((f"`{h}` alone", f"#include <{h}>\n", [f"-I{inc}"]))

for i, (_, src, _) in enumerate(cases):
    with open(f"{out}/case{i}.cpp", "w") as f:
        f.write(src)

def cpu_time(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"compile_time.sh: {' '.join(cmd)} failed:\n{p.stderr}")
    return (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000

best = {}
with open(f"{out}/runs.txt", "w") as raw:
    for run in range(runs):
        for cxx in compilers:
            for i, (label, _, flags) in enumerate(cases):
                t = cpu_time([cxx, "-std=c++20", "-fsyntax-only", *flags, f"{out}/case{i}.cpp"])
                raw.write(f"{cxx}\t{i}\t{t:.2f}\n")
                best[cxx, i] = min(best.get((cxx, i), 1e9), t)

def version(cxx):
    v = subprocess.run([cxx, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return re.sub(r" \(.*?\)", "", v).replace("Debian ", "")

def ms(x):
    return f"{x:.1f}"

idx = {label: i for i, (label, _, _) in enumerate(cases)}
empty, std2, std4 = idx["empty TU"], idx["`<cstdint>` `<cstddef>`"], idx[cases[3][0]]
allh, nostd = idx["`virtops/virtops.hpp`"], idx["`virtops/virtops.hpp`, `-ffreestanding -nostdinc++`"]
md = [
    f"Measured by `scripts/compile_time.sh`: {'; '.join(version(c) for c in compilers)}. "
    f"`-std=c++20 -fsyntax-only` of a one-line translation unit, {runs} runs of each, all "
    "cases and compilers alternating; the fastest run's CPU time (user + system) in ms. "
    f"Load average when the run ended: {os.getloadavg()[0]:.2f}.",
    "",
    "**The goal** (issue 14): what virtops' headers add beyond the standard headers they "
    "include, and the whole include over an empty TU without a C++ library.",
    "",
    "| | " + " | ".join(f"`{c}`" for c in compilers) + " |",
    "|---|" + "---|" * len(compilers),
]
def row(label, f):
    md.append(f"| {label} | " + " | ".join(ms(f(c)) for c in compilers) + " |")
if before:
    b_all = idx[f"`virtops/virtops.hpp` at {before}"]
    row(f"at {before}: `virtops.hpp` minus `<cstdint>` `<cstddef>` `<type_traits>` `<concepts>`",
        lambda c: best[c, b_all] - best[c, std4])
    row(f"at {before}: `virtops.hpp` minus the empty TU", lambda c: best[c, b_all] - best[c, empty])
row("now: `virtops.hpp` minus `<cstdint>` `<cstddef>`", lambda c: best[c, allh] - best[c, std2])
row("now: `virtops.hpp` minus the empty TU", lambda c: best[c, allh] - best[c, empty])
row("now: `virtops.hpp` with `-ffreestanding -nostdinc++` minus the empty TU",
    lambda c: best[c, nostd] - best[c, empty])
md += [
    "",
    "Every case, and what it adds to the empty TU (in brackets):",
    "",
    "| translation unit | " + " | ".join(f"`{c}`" for c in compilers) + " |",
    "|---|" + "---|" * len(compilers),
]
for i, (label, _, _) in enumerate(cases):
    md.append(f"| {label} | " + " | ".join(
        ms(best[c, i]) + ("" if i == empty else f" (+{ms(best[c, i] - best[c, empty])})")
        for c in compilers) + " |")

# Where Clang's time goes: -ftime-trace of virtops.hpp (trace events of
# every length, so the trace's own overhead inflates the totals; shares, not
# times, are what it says).
def where_the_time_goes(cxx, include, what):
    subprocess.run([cxx, "-std=c++20", "-c", f"-I{include}", "-ftime-trace",
                    "-ftime-trace-granularity=0", f"{out}/case{allh}.cpp", "-o",
                    f"{out}/trace.o"], check=True)
    trace = json.load(open(f"{out}/trace.json"))
    ev = trace["traceEvents"]
    frontend = max(e["dur"] for e in ev
                   if e.get("ph") == "X" and e["name"] in ("Total Frontend", "Frontend"))
    src = collections.defaultdict(float)
    inst = collections.defaultdict(lambda: [0.0, 0])
    def short(name):
        return name[name.rfind("include/") + 8:] if "include/" in name else name
    stack = []  # Clang 15+ writes Source as nested begin/end events
    for e in sorted((e for e in ev if e["name"] == "Source" and e.get("ph") in "be"),
                    key=lambda e: e["ts"]):
        if e["ph"] == "b":
            stack.append(e)
        elif stack:
            b = stack.pop()
            name = short(b["args"]["detail"])
            src[name] = max(src[name], e["ts"] - b["ts"])
    for e in ev:
        if e.get("ph") == "X" and e["name"] == "Source":
            name = short(e["args"]["detail"])
            src[name] = max(src[name], e["dur"])
        elif e.get("ph") == "X" and e["name"] == "InstantiateClass":
            k = e["args"]["detail"].split("<")[0]
            inst[k][0] += e["dur"]
            inst[k][1] += 1
    md.extend([
        "",
        f"Where the time goes (`{cxx} -ftime-trace` of `virtops/virtops.hpp`, {what}): share of the "
        "front end spent in each header (with what it includes; the first time it is "
        "included), and the class templates whose instantiations took longest.",
        "",
        "| header | share |", "|---|---|",
    ])
    for name, d in sorted(src.items(), key=lambda kv: -kv[1])[:10]:
        if name == "virtops/virtops.hpp":
            continue
        md.append(f"| `{name}` | {100 * d / frontend:.0f} % |")
    totals = {e["name"][6:]: e["dur"] for e in ev
              if e.get("ph") == "X" and e["name"].startswith("Total ")}
    kinds = [(k, d) for k, d in totals.items()
             if k not in ("ExecuteCompiler", "Frontend", "Source") and d >= 0.01 * frontend]
    md.extend(["", "What the front end did (Clang's totals per kind of work; they nest, so "
               "they do not add up):", "", "| work | share |", "|---|---|"])
    for k, d in sorted(kinds, key=lambda kv: -kv[1]):
        md.append(f"| {k} | {100 * d / frontend:.0f} % |")
    md.extend(["", "| class template | instantiations | share |", "|---|---|---|"])
    for name, (d, n) in sorted(inst.items(), key=lambda kv: -kv[1][0])[:5]:
        md.append(f"| `{name}` | {n} | {100 * d / frontend:.0f} % |")
    md.append("")

clangs = [c for c in compilers if "clang" in c]
if clangs:
    where_the_time_goes(clangs[-1], inc, "now")
    if before:
        where_the_time_goes(clangs[-1], f"{out}/before/include", f"at {before}")

doc = f"{root}/docs/benchmarks.md"
text = open(doc).read()
begin, end = "<!-- compile-time:begin -->", "<!-- compile-time:end -->"
a, b = text.index(begin) + len(begin), text.index(end)
open(doc, "w").write(text[:a] + "\n" + "\n".join(md) + "\n" + text[b:])
print("\n".join(md))
print("docs/benchmarks.md regenerated (compile time)")
EOF
