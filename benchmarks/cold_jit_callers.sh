#!/usr/bin/env bash
# Which NeuralFlow methods make a cold process's first Fit epoch JIT-compile (issue 17's cold
# epoch): perf samples the epoch with DWARF call graphs, and each sample inside the JIT is
# charged to the first NeuralFlow.dll frame above it, named from crossgen2's map of the same
# ReadyToRun image. The methods the JIT compiled are listed by DOTNET_JitStdOutFile.
#   bash benchmarks/cold_jit_callers.sh        (after building benchmarks/NeuralFlow.Peers -c Release)
# Needs perf, python3 and the crossgen2 package restore fetched. Prints the callers, most samples first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
app="$root/benchmarks/NeuralFlow.Peers/bin/Release/net10.0"
rsp="$root/src/NeuralFlow/obj/Release/net10.0/R2R/NeuralFlow.rsp"
crossgen=$(ls -d ~/.nuget/packages/microsoft.netcore.app.crossgen2.*/*/tools/crossgen2 | tail -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The same compilation as the build's, with a map: the image must match the one the app loads.
grep -v '^--out' "$rsp" > "$work/map.rsp"
printf -- '--out:%s\n--mapcsv\n' "$work/NeuralFlow.dll" >> "$work/map.rsp"
"$crossgen" @"$work/map.rsp" > /dev/null
cmp -s "$work/NeuralFlow.dll" "$app/NeuralFlow.dll" || { echo "the app's NeuralFlow.dll is not the current build's image; rebuild benchmarks/NeuralFlow.Peers" >&2; exit 1; }
mkfifo "$work/ctl" "$work/ack"
PERF_CTL="$work/ctl" DOTNET_JitDisasmSummary=1 DOTNET_JitStdOutFile="$work/jit.txt" \
  perf record -q -F 20000 --call-graph dwarf,16384 --control "fifo:$work/ctl,$work/ack" -D -1 -o "$work/perf.data" \
  dotnet "$app/NeuralFlow.Peers.dll" fit_warmup | head -1
perf script -i "$work/perf.data" --no-inline 2>/dev/null > "$work/perf.txt"
python3 - "$work" <<'PY'
import bisect, collections, csv, sys
work = sys.argv[1]
syms = []
with open(f"{work}/NeuralFlow.map.csv") as f:
    for row in csv.reader(f):
        if len(row) > 4 and row[3] == ".text" and row[0].startswith("0x"):
            syms.append((int(row[0], 16), int(row[1]), row[4]))
syms.sort()
starts = [s[0] for s in syms]
def name(offset):
    rva = offset + 0x10000  # the image maps .text at file offset + 0x10000 (its section table)
    i = bisect.bisect_right(starts, rva) - 1
    return syms[i][2].replace("NeuralFlow_NeuralFlow_", "") if i >= 0 and rva < syms[i][0] + syms[i][1] else "?"
callers = collections.Counter()
for sample in open(f"{work}/perf.txt").read().split("\n\n"):
    lines = sample.strip().split("\n")
    frames = lines[1:]
    # The main thread only: tiered compilation's background thread (".NET Tiered Com..."") recompiles
    # hot methods off the epoch's critical path.
    if lines[0].startswith("dotnet ") and any("libclrjit" in f for f in frames):
        nf = [name(int(f.split()[0], 16)) for f in frames if "NeuralFlow.dll" in f]
        callers[" <- ".join(nf[:2]) or "(no NeuralFlow frame: user code or unwinding stopped)"] += 1
for caller, n in callers.most_common(25):
    print(f"{n:5d}  {caller}")
PY
echo "methods JIT-compiled in the process (the cold epoch's are the last ones):"
tail -30 "$work/jit.txt" | cut -c1-160
