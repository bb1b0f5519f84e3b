#!/usr/bin/env python3
"""Turns the JSON of scripts/bench.sh into the tables and plots of
docs/benchmarks.md (between its bench:begin/bench:end markers)."""
import json, os, platform, re, subprocess, sys

builds, docs = sys.argv[1], sys.argv[2]
compilers = ["gcc", "clang"]
variants = ["bare", "virtops", "jmp_call", "setcc", "pushf", "call"]


def medians(path):
    out = {}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("aggregate_name") == "median":
            scale = {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
            out[b["run_name"]] = b["real_time"] * scale
    return out


def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout


res = {}
for c in compilers:
    for b in ["handler_bench", "extable_bench", "fault_bench"]:
        res.update({f"{c}:{k}": v for k, v in medians(f"{builds}/bench-{c}/{b}.json").items()})

lines = []
cpu = re.search(r"Model name:\s*(.*)", sh("lscpu")).group(1).strip()
lines += [f"Measured by `scripts/bench.sh` on {cpu}, {os.cpu_count()} cores, Linux "
          f"{platform.release()}; {sh('g++ --version').splitlines()[0]}, "
          f"{sh('clang++ --version').splitlines()[0]}. Medians of the interleaved repetitions.", ""]

lines += ["### Scaffolding around the stand-in instruction", "",
          "Time per handler call (32 reads) and per 1024 reads of one site; ratio to bare in brackets.", "",
          "| variant | " + " | ".join(f"{c} handler32 | {c} single site" for c in compilers) + " |",
          "|---|" + "---|" * (2 * len(compilers))]
plot = []
for v in variants:
    row = [v]
    for c in compilers:
        for w in ["handler32", "single_site"]:
            t, base = res[f"{c}:{c}/{w}/{v}"], res[f"{c}:{c}/{w}/bare"]
            row.append(f"{t:.1f} ns ({t / base:.2f}x)")
    plot.append((v, [res[f"{c}:{c}/handler32/{v}"] / res[f"{c}:{c}/handler32/bare"] for c in compilers]))
    lines.append("| " + " | ".join(row) + " |")

def verdict(ok):
    return "met" if ok else "**missed**"


h = [res[f"{c}:{c}/handler32/virtops"] / res[f"{c}:{c}/handler32/bare"] for c in compilers]
e = [res[f"{c}:extable/sorted/100000"] for c in compilers]
fr = [res[f"{c}:fault/virtops_vmxoff"] / res[f"{c}:fault/bare_ud2"] for c in compilers]
targets = ["### Targets", "", "| target | gcc | clang | |", "|---|---|---|---|",
           f"| virtops ≤ 1.02x bare, 32-read handler | {h[0]:.2f}x | {h[1]:.2f}x | {verdict(max(h) <= 1.02)} |",
           f"| sorted lookup ≤ 20 ns at 100k entries | {e[0]:.1f} ns | {e[1]:.1f} ns | {verdict(max(e) <= 20)} |",
           f"| fault round trip ≤ 1.05x bare `#UD` round trip | {fr[0]:.3f}x | {fr[1]:.3f}x | {verdict(max(fr) <= 1.05)} |",
           ""]
lines[2:2] = targets

lines += ["", "### Exception-table lookup", "", "| entries | sorted (binary search) | unsorted (linear) |", "|---|---|---|"]
ext = []
for n in [10, 1000, 100000]:
    s = [res[f"{c}:extable/sorted/{n}"] for c in compilers]
    l = [res[f"{c}:extable/linear/{n}"] for c in compilers]
    ext.append((n, s, l))
    lines.append(f"| {n} | " + " / ".join(f"{x:.1f} ns" for x in s) + " (gcc / clang) | " +
                 " / ".join(f"{x:.1f} ns" for x in l) + " |")

lines += ["", "### Ring-3 fault round trip", "", "| | " + " | ".join(compilers) + " |", "|---|---|---|"]
for name, key in [("virtops: VMXOFF faults, table lookup, fixup, policy", "fault/virtops_vmxoff"),
                  ("bare `#UD`: ud2, handler steps over it", "fault/bare_ud2"),
                  ("raise() + empty handler", "fault/raise")]:
    lines.append(f"| {name} | " + " | ".join(f"{res[f'{c}:{key}']:.0f} ns" for c in compilers) + " |")
lines.append("| ratio virtops / bare `#UD` | " + " | ".join(
    f"{res[f'{c}:fault/virtops_vmxoff'] / res[f'{c}:fault/bare_ud2']:.3f}" for c in compilers) + " |")

lines += ["", "### Compile time of `#include <virtops/virtops.hpp>`", "",
          "| compiler | empty TU | with the include | cost of the include |", "|---|---|---|---|"]
ct = {}
for l in open(f"{builds}/bench-compile-time.txt"):
    cxx, tu, us = l.split()
    ct[(cxx, tu)] = int(us) / 1000
for cxx in ["g++", "clang++"]:
    e, i = ct[(cxx, "empty")], ct[(cxx, "include")]
    lines.append(f"| {cxx} -fsyntax-only | {e:.1f} ms | {i:.1f} ms | {i - e:.1f} ms |")

lines += ["", "### Code size of the 32-read handler", "",
          "In-line bytes (the function symbol), VMfail stubs (`.subsection 1` of its section) and "
          "cold bytes (`.text.unlikely`, GCC's split-off part), per call site.", "",
          "| variant | " + " | ".join(f"{c} in-line / stub / cold per site" for c in compilers) + " |",
          "|---|" + "---|" * len(compilers)]
size = {}
for c in compilers:
    obj = f"{builds}/bench-{c}/handler_sections.o"
    secs = {}
    for l in sh(f"readelf -SW {obj}").splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+([0-9a-f]+)", l)
        if m:
            secs[m.group(1)] = int(m.group(2), 16)
    for l in sh(f"nm -S {obj}").splitlines():
        p = l.split()
        if len(p) == 4 and re.match(r"_ZN12_GLOBAL__N_17handlerILNS_7variantE(\d)E", p[3]) and ".cold" not in p[3]:
            v = variants[int(re.match(r"_ZN12_GLOBAL__N_17handlerILNS_7variantE(\d)E", p[3]).group(1))]
            fn = int(p[1], 16)
            base = p[3].split(".")[0]
            sec = next((s for n, s in secs.items() if n.startswith(".text.") and base in n and "unlikely" not in n), fn)
            cold = sum(s for n, s in secs.items() if "unlikely" in n and base in n)
            size[(c, v)] = (fn, sec - fn, cold)
for v in variants:
    lines.append(f"| {v} | " + " | ".join(
        "{:.1f} / {:.1f} / {:.1f}".format(*(x / 32 for x in size[(c, v)])) if (c, v) in size else "n/a"
        for c in compilers) + " |")

os.makedirs(f"{docs}/bench", exist_ok=True)
with open(f"{builds}/bench-handler.dat", "w") as f:
    for v, r in plot:
        f.write(f"{v} {' '.join(f'{x:.4f}' for x in r)}\n")
with open(f"{builds}/bench-extable.dat", "w") as f:
    for n, s, l in ext:
        f.write(f"{n} {s[0]:.2f} {s[1]:.2f} {l[0]:.2f} {l[1]:.2f}\n")
gp = f"""set terminal pngcairo size 800,450 font ",11" noenhanced
set output '{docs}/bench/handler.png'
set title '32-read exit handler: time relative to the bare instruction (lower is better)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'x bare'
set yrange [0:*]
set grid ytics
plot '{builds}/bench-handler.dat' using 2:xtic(1) title 'gcc', '' using 3 title 'clang'
set output '{docs}/bench/extable.png'
set title 'Exception-table lookup (lower is better)'
set style data linespoints
set logscale xy
set xlabel 'entries'
set ylabel 'ns per lookup'
set yrange [*:*]
plot '{builds}/bench-extable.dat' using 1:2 title 'sorted, gcc', '' using 1:3 title 'sorted, clang', \\
     '' using 1:4 title 'linear, gcc', '' using 1:5 title 'linear, clang'
"""
subprocess.run(["gnuplot"], input=gp, text=True, check=True)
lines += ["", "![handler ratios](bench/handler.png)", "", "![extable lookup](bench/extable.png)"]

path = f"{docs}/benchmarks.md"
text = open(path).read()
begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
text = text[: text.index(begin) + len(begin)] + "\n" + "\n".join(lines) + "\n" + text[text.index(end):]
open(path, "w").write(text)
