#!/usr/bin/env bash
# Same-run comparison with PyTorch (Debian's python3-torch) on this machine. OpenBLAS runs at
# its best (AVX-512 kernels) for both sides: the OPENBLAS_* overrides are unset here only.
#   bash benchmarks/peers.sh [custom_loop_steps] [fashion_epochs]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-2000}
epochs=${2:-10}
peers=../shared/peers
dotnet build -c Release benchmarks/NeuralFlow.Peers -v q -nologo >/dev/null
run() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@"; }
app=benchmarks/NeuralFlow.Peers/bin/Release/net10.0/NeuralFlow.Peers.dll
run dotnet "$app" custom_loop "$steps"
run /usr/bin/python3 "$peers/custom_loop_torch.py" "$steps"
run dotnet "$app" fashion_fit "$epochs"
run /usr/bin/python3 "$peers/fashion_fit_torch.py" "$epochs"
