#!/usr/bin/env bash
# Bundles bench/parity/ulseg-steps.ts with esbuild (the `source` condition, as bench/run.mjs) and runs it with node.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$root/bench/.build"
out="$root/bench/.build/parity-ulseg-steps.mjs"
"$root/node_modules/.bin/esbuild" "$root/bench/parity/ulseg-steps.ts" --bundle --platform=node --format=esm --target=node20 \
  --conditions=source --external:webgpu --outfile="$out" --log-level=warning
exec node "$out" "$@"
