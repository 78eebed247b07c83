#!/usr/bin/env bash
# What the native build needs on Debian/Ubuntu, and its installation: used by build.cake's Deps
# and Native targets (so `dotnet cake --target=Test` sets up a fresh machine) and by
# bindings/NeuralFlow.Native/NativeBuild.targets (so `dotnet build` names the exact command).
#
#   scripts/native-deps.sh check   [--engine] [PACKAGE...]  prints the missing packages on one line; exit 1 if any
#   scripts/native-deps.sh hint    [--engine] [PACKAGE...]  prints one line with the command that installs them (nothing if none)
#   scripts/native-deps.sh install [--engine] [PACKAGE...]  installs the missing ones: with apt-get as root, with sudo
#                                                            where it needs no password, else exit 1 with the line to run
#
# Tools count when on PATH (cmake, a C++ compiler, make, strip), libraries when dpkg has them.
# --engine: only what the engine needs (not GoogleTest nor strip: `dotnet build`). PACKAGE...: more
# Debian packages to require (Cake --cuda: nvidia-cuda-toolkit and the host compiler).
#
# To try the logic without changing the machine:
#   NEURALFLOW_DEPS_PRETEND_MISSING="cmake libgtest-dev"  exactly these count as missing ("" = none)
#   NEURALFLOW_DEPS_PRETEND_USER=root|sudo|user           as root / a user with password-less sudo / a user without
#   NEURALFLOW_DEPS_DRY_RUN=1                             print "would run: ..." instead of installing
set -euo pipefail

mode=${1:-}
shift || true
engine_only=0
extra=()
for arg in "$@"; do
  if [ "$arg" = "--engine" ]; then engine_only=1; else extra+=("$arg"); fi
done
case "$mode" in check|hint|install) ;; *) echo "usage: $0 check|hint|install [--engine] [PACKAGE...]" >&2; exit 2 ;; esac

has_dpkg=0
command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && has_dpkg=1

# package: is it there? (the tool on PATH for tools, dpkg's record for libraries)
present() {
  if [ -n "${NEURALFLOW_DEPS_PRETEND_MISSING+set}" ]; then
    [[ " $NEURALFLOW_DEPS_PRETEND_MISSING " != *" $1 "* ]]
    return
  fi
  case "$1" in
    cmake) command -v cmake >/dev/null 2>&1 ;;
    g++) command -v c++ >/dev/null 2>&1 || command -v g++ >/dev/null 2>&1 || command -v clang++ >/dev/null 2>&1 ;;
    make) command -v make >/dev/null 2>&1 ;;
    binutils) command -v strip >/dev/null 2>&1 ;;
    # --cuda: an nvcc from NVIDIA's own packages or installer counts too, and a host compiler on PATH.
    nvidia-cuda-toolkit) command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ] || dpkg -s "$1" >/dev/null 2>&1 ;;
    clang-[0-9]*) command -v "clang++-${1#clang-}" >/dev/null 2>&1 ;;
    g++-[0-9]*) command -v "$1" >/dev/null 2>&1 ;;
    *) [ "$has_dpkg" = 1 ] && dpkg -s "$1" >/dev/null 2>&1 ;;
  esac
}

needed=(cmake g++ make libopenblas-openmp-dev)
[ "$engine_only" = 1 ] || needed+=(libgtest-dev binutils)
needed+=(${extra[@]+"${extra[@]}"})
missing=()
for p in "${needed[@]}"; do present "$p" || missing+=("$p"); done

if [ "$mode" = check ]; then
  [ ${#missing[@]} -eq 0 ] && exit 0
  echo "${missing[*]}"
  exit 1
fi
[ ${#missing[@]} -eq 0 ] && exit 0

user=${NEURALFLOW_DEPS_PRETEND_USER:-}
if [ -z "$user" ]; then
  if [ "$(id -u)" = 0 ]; then user=root
  elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then user=sudo
  else user=user; fi
fi
sudo=""
[ "$user" = root ] || sudo="sudo "
# What a person types (hint and failure), and what this script runs (quiet, non-interactive).
typed="${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${missing[*]}"
run="${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing[*]}"
if [ -z "${NEURALFLOW_DEPS_PRETEND_MISSING+set}" ] && [ "$has_dpkg" = 0 ]; then
  # Not Debian/Ubuntu: only tools can be checked, and the package names differ.
  [ "$mode" = hint ] && echo "missing ${missing[*]} (Debian names); install them with your package manager" && exit 0
  echo "NeuralFlow: the native build needs ${missing[*]} (Debian names); install them with your package manager, then run this command again." >&2
  exit 1
fi
if [ "$mode" = hint ]; then
  echo "missing ${missing[*]}; install with: $typed"
  exit 0
fi
if [ "$user" = user ]; then
  echo "NeuralFlow: the native build needs ${missing[*]}, and installing them needs root: run \`$typed\`, then this command again." >&2
  exit 1
fi
echo "NeuralFlow: installing what the native build needs: ${missing[*]}"
if [ "${NEURALFLOW_DEPS_DRY_RUN:-0}" = 1 ]; then
  echo "would run: $run"
  exit 0
fi
bash -c "$run"
