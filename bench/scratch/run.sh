#!/usr/bin/env bash
# Bundles a scratch TypeScript file with esbuild (source condition) into .tmp/ and runs it with node:
#   bench/scratch/run.sh bench/scratch/gemm-speed.ts [args]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
src="$1"; shift
mkdir -p "$root/.tmp"
out="$root/.tmp/scratch-$(basename "$src" .ts).mjs"
"$root/node_modules/.bin/esbuild" "$src" --bundle --platform=node --format=esm --conditions=source \
  --external:webgpu --outfile="$out" --log-level=warning
exec node "$out" "$@"
