#!/usr/bin/env bash
# Kernel benchmarks (BenchmarkDotNet, every backend) and NumPy's sgemm in the same run, with
# OpenBLAS at its best for both (the OPENBLAS_* overrides are unset in this command only).
#   bash benchmarks/kernels.sh [BenchmarkDotNet filters..., default "*"]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- "*"
run() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@"; }
dotnet build -c Release benchmarks/NeuralFlow.Benchmarks -v q -nologo >/dev/null
run dotnet run -c Release --no-build --project benchmarks/NeuralFlow.Benchmarks -- --filter "$@" --job short --inProcess --join
run /usr/bin/python3 native/bench/numpy_matmul.py
