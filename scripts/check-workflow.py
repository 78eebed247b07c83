#!/usr/bin/env python3
"""Structural check of .github/workflows/ci.yml (next to actionlint, which checks the syntax):
every run: step is `dotnet tool restore` or `dotnet cake --target=X` with X a Task in build.cake,
the matrix covers ubuntu, windows and macos with a CMake preset that CMakePresets.json defines,
and the pack job needs the matrix job and asks Pack for every matrix RID."""
import json, re, sys, yaml
from pathlib import Path

root = Path(__file__).resolve().parent.parent
wf = yaml.safe_load((root / ".github/workflows/ci.yml").read_text())
tasks = set(re.findall(r'Task\("(\w+)"\)', (root / "build.cake").read_text()))
presets = {p["name"] for p in json.loads((root / "CMakePresets.json").read_text())["configurePresets"]}
problems = []

on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` key as True
if not on: problems.append("no triggers (on:)")
jobs = wf.get("jobs", {})
for name, job in jobs.items():
    if "runs-on" not in job: problems.append(f"{name}: no runs-on")
    for step in job.get("steps", []):
        run = step.get("run")
        if run is None:
            if "uses" not in step: problems.append(f"{name}: a step with neither run nor uses")
            continue
        for line in filter(None, (l.strip() for l in run.splitlines())):
            m = re.fullmatch(r"dotnet cake --target=(\w+)(\s+--[\w-]+(=(\$\{\{[^}]*\}\}|\S)+)?)*", line)
            if line == "dotnet tool restore": continue
            if not m: problems.append(f"{name}: '{line}' is not a Cake target"); continue
            if m.group(1) not in tasks: problems.append(f"{name}: Cake has no target {m.group(1)}")

matrix = jobs.get("native", {}).get("strategy", {}).get("matrix", {}).get("include", [])
oses = {e["os"].split("-")[0] for e in matrix}
if oses != {"ubuntu", "windows", "macos"}: problems.append(f"matrix OSes are {sorted(oses)}")
for e in matrix:
    if e.get("preset") not in presets: problems.append(f"matrix preset {e.get('preset')} not in CMakePresets.json")
pack = jobs.get("pack", {})
needs = pack.get("needs")
if "native" not in ([needs] if isinstance(needs, str) else needs or []): problems.append("pack job must need the native matrix job")
pack_runs = " ".join(s.get("run", "") for s in pack.get("steps", []))
rids = re.search(r"--require-rids=(\S+)", pack_runs)
if not rids or set(rids.group(1).split(",")) != {e["rid"] for e in matrix}:
    problems.append("pack job's --require-rids must list every matrix RID")

for p in problems: print("ci.yml:", p)
print(f"check-workflow: {len(jobs)} jobs, {len(matrix)} matrix entries, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
