#!/usr/bin/env python3
"""Turns what scripts/bench.sh measured into the tables and plots of
docs/benchmarks.md (between its bench:begin/bench:end markers) and
docs/bench/*.png. Usage: report.py BUILD_ROOT DOCS_DIR

Every figure written comes from BUILD_ROOT: the Google Benchmark JSON of
each compiler's tree, the code-size object (compile time: scripts/compile_time.sh)."""
import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys

builds, docs = sys.argv[1], sys.argv[2]
compilers = ["gcc", "clang"]
variants = ["bare", "virtops", "jmp_call", "setcc", "pushf", "call"]
sizes = [10, 1000, 100000]


def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


# Medians over repetitions of CPU time (the thread's user + system time): on a
# shared machine it leaves out the time the benchmark waited for a core.
runs = {}  # (compiler, run_name) -> {repetition: ns per iteration}
for c in compilers:
    for b in ["handler_bench", "extable_bench", "fault_bench"]:
        data = json.load(open(f"{builds}/bench-{c}/{b}.json"))
        for r in data["benchmarks"]:
            if r.get("run_type") != "iteration":
                continue
            if r.get("error_occurred"):
                sys.exit(f"{c} {r['run_name']}: {r.get('error_message')}")
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[r["time_unit"]]
            per_rep = runs.setdefault((c, r["run_name"]), {})
            per_rep[r.get("repetition_index", len(per_rep))] = r["cpu_time"] * scale
n_reps = min(len(v) for v in runs.values())


def t(c, name):
    return statistics.median(runs[(c, name)].values())


def ratio(c, name, base):
    return t(c, name) / t(c, base)


def spread(c, name, base):
    """Quartiles of the per-repetition ratios (repetitions ran interleaved)."""
    a, b = runs[(c, name)], runs[(c, base)]
    q = statistics.quantiles([a[k] / b[k] for k in a if k in b], n=4)
    return f"{q[0]:.2f}-{q[2]:.2f}"


def verdict(ok):
    return "met" if ok else "**missed**"


def ns(x):
    if x >= 10000:
        return f"{x / 1000:.1f} µs"
    return f"{x:.1f} ns" if x < 100 else f"{x:.0f} ns"


out = []
cpu = re.search(r"Model name:\s*(.*)", sh("lscpu")).group(1).strip()
load = open(f"{builds}/bench-load.txt").read().split("load average:")[-1].strip()
out += [
    f"Measured by `scripts/bench.sh` on {cpu} ({os.cpu_count()} vCPUs, KVM guest), Linux "
    f"{platform.release()}; {sh('g++', '--version').splitlines()[0]}; "
    f"{sh('clang++', '--version').splitlines()[0]}. {n_reps} repetitions of each benchmark, "
    f"interleaved at random in one process per compiler; medians of CPU time. "
    f"Load average when the run started: {load}.",
    "",
]

# Targets first: what the project set out to reach, met or not.
h = [ratio(c, f"{c}/handler32/virtops", f"{c}/handler32/bare") for c in compilers]
e = [t(c, "extable/sorted/100000") for c in compilers]
ec = [t(c, "extable/sorted_chained/100000") for c in compilers]
fr = [ratio(c, "fault/virtops_vmxoff", "fault/bare_ud2") for c in compilers]
fs = [ratio(c, "fault/virtops_vmxoff", "fault/raise") for c in compilers]
out += [
    "### Targets",
    "",
    "Ratios are ratios of medians; in brackets the middle half (quartiles) of the "
    "ratios of each repetition's pair, a measure of the run's noise.",
    "",
    "| target | gcc | clang | |",
    "|---|---|---|---|",
    f"| virtops ≤ 1.02x bare, 32-read handler | {h[0]:.2f}x "
    f"({spread('gcc', 'gcc/handler32/virtops', 'gcc/handler32/bare')}) | {h[1]:.2f}x "
    f"({spread('clang', 'clang/handler32/virtops', 'clang/handler32/bare')}) | "
    f"{verdict(max(h) <= 1.02)} |",
    f"| sorted lookup ≤ 20 ns at 100k entries (back to back) | {ns(e[0])} | {ns(e[1])} | "
    f"{verdict(max(e) <= 20)} |",
    f"| the same, each lookup waiting for the previous one | {ns(ec[0])} | {ns(ec[1])} | "
    f"{verdict(max(ec) <= 20)} |",
    f"| fault round trip ≤ 1.05x the bare `#UD` round trip | {fr[0]:.3f}x "
    f"({spread('gcc', 'fault/virtops_vmxoff', 'fault/bare_ud2')}) | {fr[1]:.3f}x "
    f"({spread('clang', 'fault/virtops_vmxoff', 'fault/bare_ud2')}) | "
    f"{verdict(max(fr) <= 1.05)} |",
    f"| the same against `raise()` + empty handler (the target's definition of the bare signal round trip, "
    f"no fault) | {fs[0]:.2f}x | {fs[1]:.2f}x | {verdict(max(fs) <= 1.05)} |",
    "",
]

# Scaffolding.
out += [
    "### Scaffolding around the stand-in instruction",
    "",
    "Time per call of the 32-read handler and per 1024 reads of one site; "
    "in brackets the ratio to bare (medians).",
    "",
    "| variant | gcc handler32 | clang handler32 | gcc single site | clang single site |",
    "|---|---|---|---|---|",
]
plot_handler = []
for v in variants:
    row, pr = [v], []
    for w in ["handler32", "single_site"]:
        for c in compilers:
            x = ratio(c, f"{c}/{w}/{v}", f"{c}/{w}/bare")
            row.append(f"{ns(t(c, f'{c}/{w}/{v}'))} ({x:.2f}x)")
            pr.append(x)
    plot_handler.append((v, pr))
    out.append("| " + " | ".join(row) + " |")

def success_path(obj, fn, size):
    """Follows the handler's success path from its entry: straight on,
    through unconditional jumps, and at a conditional branch the way that
    reaches the next read (a site: the stand-in POPCNT, or the call of
    standin::call) until all 32 are done. Returns the bytes from the entry
    to the end of the path's ret, and the instructions it executes."""
    ins, at = [], {}
    for line in sh("objdump", "-dr", "--no-show-raw-insn", "-j", f".text.{fn}", obj).splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$", line)
        if not m:
            continue
        if m.group(2).startswith("R_X86_64"):
            ins[-1]["reloc"] = m.group(3)  # a target outside this section
            continue
        target = re.match(r"([0-9a-f]+) <", m.group(3))
        at[int(m.group(1), 16)] = len(ins)
        ins.append({"addr": int(m.group(1), 16), "op": m.group(2), "reloc": "",
                    "target": int(target.group(1), 16) if target else None})
    end_of = lambda i: ins[i + 1]["addr"] if i + 1 < len(ins) else size
    is_site = lambda x: x["op"] == "popcnt" or (x["op"] == "call" and "standin4call" in x["reloc"])
    local = lambda x: x["target"] in at and not x["reloc"]

    def reaches_site(i):
        for _ in range(64):
            x = ins[i]
            if is_site(x):
                return True
            if x["op"].startswith("ret"):
                return False
            i = at[x["target"]] if x["op"] == "jmp" and local(x) else i + 1
        return False

    i, sites, executed, last = 0, 0, 0, ins[0]["addr"]
    while True:
        x = ins[i]
        executed += 1
        sites += is_site(x)
        last = max(last, end_of(i))
        if x["op"].startswith("ret"):
            break
        if x["op"] == "jmp":
            if not local(x):
                sys.exit(f"{obj} {fn}: the success path leaves the function")
            i = at[x["target"]]
        elif x["op"].startswith("j") and local(x) and sites < 32 and not reaches_site(i + 1):
            i = at[x["target"]]
        else:
            i += 1
    if sites != 32:
        sys.exit(f"{obj} {fn}: {sites} reads on the success path, not 32")
    return last - ins[0]["addr"], executed


# Code size, from the object compiled from bench/codesize.cpp.
def codesize(c):
    obj = glob.glob(f"{builds}/bench-{c}/bench/CMakeFiles/bench_codesize.dir/codesize.cpp.o")[0]
    secs = {}
    for line in sh("readelf", "-SW", obj).splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+([0-9a-f]+)", line)
        if m:
            secs[m.group(1)] = int(m.group(2), 16)
    syms = {}
    for line in sh("nm", "-S", obj).splitlines():
        p = line.split()
        if len(p) == 4:
            syms[p[3]] = int(p[1], 16)
    entries, current = {}, ""
    for line in sh("readelf", "-rW", obj).splitlines():
        m = re.match(r"Relocation section '(\S+)'", line)
        if m:
            current = m.group(1)
            continue
        p = line.split()
        # The first word of each 12-byte entry locates its site.
        if current == ".relavirtops_extable" and len(p) >= 5 and p[2] == "R_X86_64_PC32":
            if int(p[0], 16) % 12 == 0:
                entries[p[4]] = entries.get(p[4], 0) + 1
    res = {}
    for v in variants:
        fn = f"size_handler_{v}"
        hot, executed = success_path(obj, fn, secs[f".text.{fn}"])
        res[v] = {
            "hot": hot,
            "insns": executed,
            "rest": syms[fn] - hot,
            "stubs": secs[f".text.{fn}"] - syms[fn],
            "cold": secs.get(f".text.unlikely.{fn}", 0),
            "extable": 12 * entries.get(f".text.{fn}", 0),
        }
    callee = "_ZN7standin4callEm"
    return res, syms[callee] + secs[f".text.{callee}"] - syms[callee]


out += [
    "",
    "### Code size of the 32-read handler",
    "",
    "Bytes per call site (the function's bytes / 32) from `bench/codesize.cpp`, compiled "
    "at -O2 with `-ffunction-sections`. *hot*: from the entry straight to `ret`, the "
    "success path (and its instructions per site); *+bare*: hot bytes per site beyond bare's; "
    "*after ret*: out-of-line blocks the compiler left inside the function (Clang's cold "
    "blocks); *stubs*: the VMfail stubs of `.subsection 1`, after the function; *unlikely*: "
    "GCC's `.cold` part in `.text.unlikely`; *extable*: exception-table entries.",
    "",
    "| variant | compiler | hot | insns | +bare | after ret | stubs | unlikely | extable |",
    "|---|---|---|---|---|---|---|---|---|",
]
callees = {}
for c in compilers:
    cs, callees[c] = codesize(c)
    for v in variants:
        s = cs[v]
        out.append(
            f"| {v} | {c} | {s['hot'] / 32:.1f} | {s['insns'] / 32:.1f} | "
            f"{(s['hot'] - cs['bare']['hot']) / 32:+.1f} | {s['rest'] / 32:.1f} | "
            f"{s['stubs'] / 32:.1f} | {s['cold'] / 32:.1f} | {s['extable'] / 32:.1f} |"
        )
out += [
    "",
    f"*call*: the sites share one out-of-line function, {callees['gcc']} bytes with GCC and "
    f"{callees['clang']} with Clang (its body and VMfail stub), not counted above; nor are "
    "its instructions in *insns*.",
]

# Exception-table lookup.
kinds = [
    ("sorted", "virtops, sorted (binary search), back to back"),
    ("sorted_chained", "virtops, sorted, each waiting for the previous"),
    ("linear", "virtops, unsorted (linear scan)"),
    ("array_lower_bound", "reference: `std::lower_bound`, plain address array"),
    ("array_lower_bound_chained", "reference, each waiting for the previous"),
]
out += [
    "",
    "### Exception-table lookup",
    "",
    "Time per lookup of a random site of the table, gcc / clang.",
    "",
    "| lookup | " + " | ".join(f"{n} entries" for n in sizes) + " |",
    "|---|" + "---|" * len(sizes),
]
for k, label in kinds:
    out.append(
        f"| {label} | "
        + " | ".join(" / ".join(ns(t(c, f"extable/{k}/{n}")) for c in compilers) for n in sizes)
        + " |"
    )

# Fault round trip.
out += [
    "",
    "### Ring-3 fault round trip",
    "",
    "| | gcc | clang |",
    "|---|---|---|",
]
for label, key in [
    ("virtops: `vmx::vmxoff()` faults (#UD), SIGILL, table lookup, fixup, policy", "fault/virtops_vmxoff"),
    ("bare `#UD`: `ud2`, SIGILL handler steps over it", "fault/bare_ud2"),
    ("`raise(SIGUSR1)`, empty handler (no fault)", "fault/raise"),
]:
    out.append(f"| {label} | " + " | ".join(ns(t(c, key)) for c in compilers) + " |")
out.append(
    "| ratio virtops / bare `#UD` | " + " | ".join(f"{x:.3f}" for x in fr) + " |"
)
out.append(
    "| ratio virtops / `raise` | "
    + " | ".join(f"{ratio(c, 'fault/virtops_vmxoff', 'fault/raise'):.2f}" for c in compilers)
    + " |"
)

# Compile time: scripts/compile_time.sh writes its own section.

# Plots (gnuplot).
os.makedirs(f"{docs}/bench", exist_ok=True)
with open(f"{builds}/bench-handler.dat", "w") as f:
    for v, r in plot_handler:
        f.write(f"{v} {' '.join(f'{x:.4f}' for x in r)}\n")
with open(f"{builds}/bench-extable.dat", "w") as f:
    for n in sizes:
        f.write(f"{n} " + " ".join(f"{t(c, f'extable/{k}/{n}'):.2f}"
                                   for k, _ in kinds for c in compilers) + "\n")
with open(f"{builds}/bench-fault.dat", "w") as f:
    for label, key in [("virtops", "fault/virtops_vmxoff"), ("bare_ud2", "fault/bare_ud2"),
                       ("raise", "fault/raise")]:
        f.write(f"{label} " + " ".join(f"{t(c, key) / 1000:.3f}" for c in compilers) + "\n")
ext_plot = ", ".join(
    f"'{builds}/bench-extable.dat' using 1:{2 + 2 * i + j} title '{k}, {c}' "
    f"dashtype {1 + j} linecolor {1 + i}"
    for i, (k, _) in enumerate(kinds) for j, c in enumerate(compilers)
)
gp = f"""set terminal pngcairo size 900,480 font ",11" noenhanced
set style fill solid 0.8 border -1
set grid ytics
set output '{docs}/bench/handler.png'
set title 'Scaffolding: time relative to the bare instruction (lower is better)'
set style data histograms
set style histogram clustered gap 1
set ylabel 'x bare (median)'
set yrange [0:*]
set key top left
plot '{builds}/bench-handler.dat' using 2:xtic(1) title 'handler32, gcc', \\
     '' using 3 title 'handler32, clang', '' using 4 title 'single site, gcc', \\
     '' using 5 title 'single site, clang', 1 with lines dashtype 2 linecolor 'black' notitle
set output '{docs}/bench/fault.png'
set title 'Ring-3 fault round trip (lower is better)'
set ylabel 'µs per round trip (median)'
plot '{builds}/bench-fault.dat' using 2:xtic(1) title 'gcc', '' using 3 title 'clang'
set output '{docs}/bench/extable.png'
set title 'Exception-table lookup (lower is better)'
set style data linespoints
set logscale xy
set xlabel 'entries'
set ylabel 'ns per lookup (median)'
set yrange [*:*]
set key top left font ',9'
plot {ext_plot}
"""
subprocess.run(["gnuplot"], input=gp, text=True, check=True)
out += [
    "",
    "### Plots",
    "",
    "![scaffolding ratios](bench/handler.png)",
    "",
    "![exception-table lookup](bench/extable.png)",
    "",
    "![fault round trip](bench/fault.png)",
]

path = f"{docs}/benchmarks.md"
text = open(path).read()
begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
text = text[: text.index(begin) + len(begin)] + "\n" + "\n".join(out) + "\n" + text[text.index(end):]
open(path, "w").write(text)
