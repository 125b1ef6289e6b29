#!/usr/bin/env bash
# Seconds each epoch spends writing its checkpoint (best + last.safetensors, log.csv, curves.svg) in `ulseg train`,
# in Node and in headless Chromium, on SwiftShader in both: Linknet-B0 at 64 px, fold 1 of 5 on 6 phantoms, batch 1.
#   pnpm build && bash bench/checkpoint-time.sh [EPOCHS]     (default 3; ULSEG_CLI: another build than packages/cli/dist/ulseg.js)
# An epoch's line is printed after its checkpoint is written, and log.csv's `seconds` leave the writing out, so for
# epoch k >= 2: checkpoint(k) = (time of line k - time of line k-1) - seconds(k). Epoch 1's gap holds the start-up.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-3}
cli=${ULSEG_CLI:-$PWD/packages/cli/dist/ulseg.js}
[[ -f "$cli" ]] || { echo "checkpoint-time.sh: $cli is missing; run pnpm build first" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
node "$cli" synth --out data --count 6 --test-count 2 --seed 3 >/dev/null
echo "load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
for runtime in node chromium; do
  ULSEG_ADAPTER=swiftshader node "$cli" train --backbone efficientnet-b0 --image-resolution 64 --epochs "$epochs" --batch-size 1 \
    --t-max 3 --folds 5 --k-th-fold 1 --fold-file-list data/train_data/train.csv --train-dataset-path data/train_data/img \
    --train-gt-dataset-path data/train_data/label --weights-path "w-$runtime" --runtime "$runtime" |
    while IFS= read -r line; do
      if [[ "$line" =~ ^fold\ 1\ epoch\ ([0-9]+)/ ]]; then echo "${BASH_REMATCH[1]} $(date +%s.%N)"; fi
    done >"times-$runtime"
  # times: "epoch unix-seconds"; log.csv: epoch in column 2, seconds in column 11.
  awk -F'[ ,]' -v runtime="$runtime" '
    FNR == NR { at[$1] = $2; next }
    FNR > 1 && ($2 - 1) in at { printf "%-8s epoch %d: checkpoint %.2f s (epoch %.2f s)\n", runtime, $2, at[$2] - at[$2 - 1] - $11, $11 }
  ' "times-$runtime" "w-$runtime/fold1/log.csv"
done
