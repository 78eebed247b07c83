#!/usr/bin/env bash
# Data-parallel throughput (issue 18): samples/DistributedMnist with 1 and 2 ranks, one thread
# per rank (NEURALFLOW_NUM_THREADS=1), for the workshop model (mlp) and the CNN of
# samples/ConvNet (cnn); prints the job's samples/s and the speed-up over 1 rank.
#   bash benchmarks/distributed.sh [epochs, default 1] [--samples N (cnn: default 10000)] [--ranks "1 2"]
# Needs Open MPI (apt-get install openmpi-bin libopenmpi-dev) and a Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=1 samples_cnn=10000 ranks="1 2"
while [ $# -gt 0 ]; do
  case $1 in
    --samples) samples_cnn=$2; shift 2 ;;
    --ranks) ranks=$2; shift 2 ;;
    *) epochs=$1; shift ;;
  esac
done
command -v mpirun >/dev/null || { echo "mpirun not found: apt-get install openmpi-bin libopenmpi-dev"; exit 1; }
dotnet build samples/DistributedMnist -c Release --nologo -v q >/dev/null
dll=samples/DistributedMnist/bin/Release/net10.0/DistributedMnist.dll
export NEURALFLOW_NUM_THREADS=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
for model in mlp cnn; do
  extra=""
  [ "$model" = cnn ] && extra="--samples $samples_cnn"
  base=""
  for np in $ranks; do
    line=$(mpirun --allow-run-as-root --oversubscribe --mca btl self,vader -np "$np" \
             dotnet "$dll" --model "$model" --epochs "$epochs" $extra | grep -a "^rank 0: .* samples/s in all")
    rate=$(sed -E 's/.* ([0-9]+) samples\/s in all.*/\1/' <<<"$line")
    [ -z "$base" ] && base=$rate
    printf '%-4s %d rank(s): %7d samples/s (x%.2f)\n' "$model" "$np" "$rate" "$(echo "$rate / $base" | bc -l)"
  done
done
