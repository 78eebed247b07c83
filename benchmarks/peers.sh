#!/usr/bin/env bash
# Same-run comparison with PyTorch (Debian's python3-torch) on this machine. OpenBLAS runs at
# its best (AVX-512 kernels) for both sides: the OPENBLAS_* overrides are unset here only.
#   bash benchmarks/peers.sh [custom_loop_steps] [fashion_epochs] [--load quiet|spin|syscalls|all] [--runs N]
#   bash benchmarks/peers.sh --cnn [epochs, default 1] [--load ...] [--runs N]
#   bash benchmarks/peers.sh --bars [fashion_epochs, default 5] [--load ...] [--runs N] [--only fit,logreg,mlp_sgd,mlp_adam]
# --loop custom_loop_function times the custom loop with its step compiled by NF.Function
# (default: custom_loop_plain, the eager loop).
# --cnn compares instead the CNN of samples/ConvNet (NeuralFlow.Peers cnn_fit against
# benchmarks/cnn_fit_torch.py: same model, Keras init, Adam, batch 64) in seconds per epoch,
# then prints the convolutions' GFLOP/s against the GEMM's (NeuralFlow.Peers conv_kernels).
# --bars runs issue 17's three Fit/step bars against PyTorch eager: Fit of the workshop model on
# Fashion-MNIST (s/epoch, and its validation accuracy), full-batch logistic regression
# (NeuralFlow.Peers logreg against benchmarks/bars_torch.py logreg, ms/step) and the
# 784-512-512-10 MLP at batch 256 with SGD and with Adam (samples/s). --only runs the named bars
# alone (e.g. --only fit: a few seconds a run instead of about a minute, so that a range over
# many alternating runs is affordable).
# --load runs every pair quiet, and/or while another process keeps one of the cores busy
# (../shared/peers/busy_core.sh: a spin loop, or `yes > /dev/null`, which also makes system
# calls): the condition of users' laptops, CI runners and containers. Sides alternate within
# each run; each line ends with NeuralFlow's ratio to PyTorch (>1: NeuralFlow is faster).
# The last lines give, per condition, the range over the runs and the slowdown of each side
# against its own quiet numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=2000 epochs=10 loads=quiet runs=1 cnn=0 bars=0 loop=custom_loop_plain only=fit,logreg,mlp_sgd,mlp_adam
pos=()
while [ $# -gt 0 ]; do
  case $1 in
    --load) loads=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --cnn) cnn=1; shift ;;
    --bars) bars=1; shift ;;
    --loop) loop=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) pos+=("$1"); shift ;;
  esac
done
[ ${#pos[@]} -gt 0 ] && steps=${pos[0]}
[ ${#pos[@]} -gt 1 ] && epochs=${pos[1]}
[ "$loads" = all ] && loads="quiet spin syscalls"
for name in ${only//,/ }; do
  case $name in fit|logreg|mlp_sgd|mlp_adam) ;; *) echo "peers.sh: --only $name: not a bar (fit, logreg, mlp_sgd, mlp_adam)" >&2; exit 2 ;; esac
done
peers=../shared/peers
dotnet build -c Release benchmarks/NeuralFlow.Peers -v q -nologo >/dev/null
app=benchmarks/NeuralFlow.Peers/bin/Release/net10.0/NeuralFlow.Peers.dll
results=$(mktemp)
trap 'rm -f "$results"' EXIT

# run LOAD COMMAND...: the command quiet or under the named background load.
run() {
  local load=$1; shift
  if [ "$load" = quiet ]; then env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@"
  else env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bash "$peers/busy_core.sh" --load "$load" "$@"; fi
}
# value KEY: the number after KEY in the command's output.
value() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) v = $(i + 1) } END { print v }'; }

if [ "$cnn" = 1 ]; then
  cnn_epochs=${pos[0]:-1}
  for r in $(seq 1 "$runs"); do
    for load in $loads; do
      nf=$(run "$load" dotnet "$app" cnn_fit "$cnn_epochs" | value seconds_per_epoch)
      pt=$(run "$load" /usr/bin/python3 benchmarks/cnn_fit_torch.py "$cnn_epochs" | value seconds_per_epoch)
      printf 'run %d %-8s cnn fit s/epoch: neuralflow %s pytorch %s ratio %.2f\n' "$r" "$load" "$nf" "$pt" "$(awk "BEGIN { print $pt / $nf }")"
      echo "$load $nf $pt" >> "$results"
    done
  done
  awk '{ r = $3 / $2; if (!($1 in lo) || r < lo[$1]) lo[$1] = r; if (!($1 in hi) || r > hi[$1]) hi[$1] = r; n[$1]++ }
       END { for (l in n) printf "summary %-8s cnn fit ratio %.2f-%.2f (%d runs)\n", l, lo[l], hi[l], n[l] }' "$results"
  run quiet dotnet "$app" conv_kernels
  exit 0
fi

if [ "$bars" = 1 ]; then
  bar_epochs=${pos[0]:-5}
  # bar NAME LOAD NF_COMMAND PT_COMMAND KEY: both sides' KEY value and NeuralFlow's ratio (>1: faster).
  bar() {
    local name=$1 load=$2 nf_cmd=$3 pt_cmd=$4 key=$5 nf_out pt_out nf pt ratio acc=""
    case ",$only," in *",$name,"*) ;; *) return 0 ;; esac
    # The sides alternate from run to run, so that neither always meets the machine's state first.
    if [ $((r % 2)) = 1 ]; then
      nf_out=$(run "$load" $nf_cmd)
      pt_out=$(run "$load" $pt_cmd)
    else
      pt_out=$(run "$load" $pt_cmd)
      nf_out=$(run "$load" $nf_cmd)
    fi
    nf=$(value "$key" <<< "$nf_out")
    pt=$(value "$key" <<< "$pt_out")
    if [ "$key" = samples_per_s ]; then ratio=$(awk "BEGIN { print $nf / $pt }"); else ratio=$(awk "BEGIN { print $pt / $nf }"); fi
    [ "$name" = fit ] && acc=" | val. accuracy neuralflow $(value final_val_accuracy <<< "$nf_out") pytorch $(value final_val_accuracy <<< "$pt_out")"
    printf 'run %d %-8s %-10s %s: neuralflow %s pytorch %s speedup %.2f (time ratio %.2f)%s\n' "$r" "$load" "$name" "$key" "$nf" "$pt" "$ratio" "$(awk "BEGIN { print 1 / $ratio }")" "$acc"
    echo "$load $name $ratio" >> "$results"
  }
  for r in $(seq 1 "$runs"); do
    for load in $loads; do
      bar fit "$load" "dotnet $app fashion_fit $bar_epochs" "/usr/bin/python3 $peers/fashion_fit_torch.py $bar_epochs" seconds_per_epoch
      bar logreg "$load" "dotnet $app logreg 30" "/usr/bin/python3 benchmarks/bars_torch.py logreg 30" ms_per_step
      bar mlp_sgd "$load" "dotnet $app mlp 1000 sgd" "/usr/bin/python3 benchmarks/bars_torch.py mlp 1000 sgd" samples_per_s
      bar mlp_adam "$load" "dotnet $app mlp 1000 adam" "/usr/bin/python3 benchmarks/bars_torch.py mlp 1000 adam" samples_per_s
    done
  done
  # Bars: fit time ratio <= 0.5, logreg time ratio <= 0.2, MLP speedup >= 1.5.
  awk '{ k = $1 " " $2; r = $3; if (!(k in lo) || r < lo[k]) lo[k] = r; if (!(k in hi) || r > hi[k]) hi[k] = r; n[k]++ }
       END { for (k in n) printf "summary %-18s speedup %.2f-%.2f, time ratio %.2f-%.2f (%d runs)\n", k, lo[k], hi[k], 1 / hi[k], 1 / lo[k], n[k] }' "$results" | sort
  exit 0
fi

for r in $(seq 1 "$runs"); do
  for load in $loads; do
    nf_loop=$(run "$load" dotnet "$app" "$loop" "$steps" | value samples_per_s)
    pt_loop=$(run "$load" /usr/bin/python3 "$peers/custom_loop_torch.py" "$steps" | value samples_per_s)
    nf_fit=$(run "$load" dotnet "$app" fashion_fit "$epochs" | value seconds_per_epoch)
    pt_fit=$(run "$load" /usr/bin/python3 "$peers/fashion_fit_torch.py" "$epochs" | value seconds_per_epoch)
    printf 'run %d %-8s custom_loop samples/s: neuralflow %s pytorch %s ratio %.2f | fit s/epoch: neuralflow %s pytorch %s ratio %.2f\n' \
      "$r" "$load" "$nf_loop" "$pt_loop" "$(awk "BEGIN { print $nf_loop / $pt_loop }")" "$nf_fit" "$pt_fit" "$(awk "BEGIN { print $pt_fit / $nf_fit }")"
    echo "$load $nf_loop $pt_loop $nf_fit $pt_fit" >> "$results"
  done
done

# Summary: ranges of the ratios per load, and each side's slowdown against its quiet median.
awk '
  { n[$1]++; i = n[$1]; loop[$1, i] = $2 / $3; fit[$1, i] = $5 / $4; nfl[$1, i] = $2; ptl[$1, i] = $3; nff[$1, i] = $4; ptf[$1, i] = $5; order[$1] = order[$1] ? order[$1] : ++k; name[k] = $1 }
  function lo(a, l,   m, j) { m = a[l, 1]; for (j = 2; j <= n[l]; j++) if (a[l, j] < m) m = a[l, j]; return m }
  function hi(a, l,   m, j) { m = a[l, 1]; for (j = 2; j <= n[l]; j++) if (a[l, j] > m) m = a[l, j]; return m }
  function mean(a, l,   s, j) { s = 0; for (j = 1; j <= n[l]; j++) s += a[l, j]; return s / n[l] }
  END {
    for (j = 1; j <= k; j++) {
      l = name[j]
      printf "summary %-8s custom_loop ratio %.2f-%.2f, fit ratio %.2f-%.2f (%d runs)", l, lo(loop, l), hi(loop, l), lo(fit, l), hi(fit, l), n[l]
      if (l != "quiet" && n["quiet"] > 0)
        printf "; slowdown vs quiet: fit neuralflow %.2fx pytorch %.2fx, loop neuralflow %.2fx pytorch %.2fx",
          mean(nff, l) / mean(nff, "quiet"), mean(ptf, l) / mean(ptf, "quiet"), mean(nfl, "quiet") / mean(nfl, l), mean(ptl, "quiet") / mean(ptl, l)
      printf "\n"
    }
  }' "$results"
