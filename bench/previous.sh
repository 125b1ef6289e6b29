#!/usr/bin/env bash
# Issue #14's goal rows with the current kernels and the previous ones in one sitting, then one side-by-side table
# (bench/previous-table.mjs). Run it on an idle machine; every run also writes its own JSON and RESULTS.md section.
#   bash bench/previous.sh [--quick]     (--quick: 3 repeats a row, for a smoke run)
# Env: GOAL_ROWS (kernel rows, a --filter), PREVIOUS_ROWS (the rows rerun with --variant tiled), SKIP_B6=1 (no B6 rows).
# Previous kernels: the companion rows each kernel table already has (scalar layout, strided layout, tiled core,
# workgroup reduction), and `--variant tiled` (the previous GEMM core, also under the 1x1 convolutions) for the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
kernel_repeats=(--repeats 10)
model_repeats=(--repeats 5 --steps 5)
if [[ "${1:-}" == "--quick" ]]; then kernel_repeats=(--repeats 3 --warmup 1 --max-seconds 5); model_repeats=(--repeats 2 --steps 2 --warmup 1 --no-profile); fi
goal_rows=${GOAL_ROWS:-'copy,relu 8x192x128x128,add 8x192x128x128,sum over,mean over,matmul 1024x1024x1024,conv2d'}
previous_rows=${PREVIOUS_ROWS:-'matmul 1024x1024x1024,conv2d'}
results=bench/results
newest() { ls -t "$results"/*-node-lavapipe.json | if [[ "$1" == model ]]; then grep -- '-model-'; else grep -v -- '-model-'; fi | head -1; }
marker=$(mktemp)
step() {
  sleep $((61 - 10#$(date +%S)))  # a new minute: the JSON's name is the start minute
  echo "== pnpm bench $*  (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  pnpm bench "$@"
  local file; file=$(newest "$kind")
  [[ "$file" -nt "$marker" ]] || { echo "previous.sh: 'pnpm bench $*' wrote no new JSON" >&2; exit 1; }
  touch "$marker"
  files+=("$file")
}
files=()
kind=kernels
step kernels --node-only --filter "$goal_rows" "${kernel_repeats[@]}"
step kernels --node-only --filter "$previous_rows" --variant tiled --no-peer "${kernel_repeats[@]}"
kind=model
step model --node-only --encoder efficientnet-b0 --resolution 64 --batch 4 --passes train-step "${model_repeats[@]}"
step model --node-only --encoder efficientnet-b0 --resolution 64 --batch 4 --passes train-step --variant tiled "${model_repeats[@]}"
models=(--model "${files[2]}" "${files[3]}")
if [[ -z "${SKIP_B6:-}" ]]; then
  step model --node-only --passes forward --batch 1 "${model_repeats[@]}"
  step model --node-only --passes forward --batch 1 --variant tiled "${model_repeats[@]}"
  models+=(--model "${files[4]}" "${files[5]}")
fi
rm -f "$marker"
node bench/previous-table.mjs --kernels "${files[0]}" "${files[1]}" "${models[@]}"
