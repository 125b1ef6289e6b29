#!/usr/bin/env bash
# Packs device-run.ts, Dawn (linux-x64), node (xz) and the Vulkan loader into .tmp/device (~45 MB) for the GPU machine,
# which has the NVIDIA driver but no node and no libvulkan.so.1; its GLX ICD fails headless, the EGL one works:
#   xz -d -c .tmp/device/bin/node.xz > /tmp/node && chmod +x /tmp/node && cd .tmp/device &&
#   VK_ICD_FILENAMES=$PWD/lib/nvidia_egl_icd.json LD_LIBRARY_PATH=$PWD/lib:/usr/local/nvidia/lib64 /tmp/node run.mjs
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.tmp/device"
mkdir -p "$out/node_modules/webgpu/dist/linux-x64" "$out/lib" "$out/bin"
"$root/node_modules/.bin/esbuild" "$root/bench/scratch/device-run.ts" --bundle --platform=node --format=esm \
  --conditions=source --external:webgpu --outfile="$out/run.mjs" --log-level=warning
webgpu="$(readlink -f "$root/node_modules/webgpu")"
cp "$webgpu/package.json" "$webgpu/index.js" "$out/node_modules/webgpu/"
cp "$webgpu/dist/linux-x64/dawn.node" "$out/node_modules/webgpu/dist/linux-x64/"
cp -L /usr/lib/x86_64-linux-gnu/libvulkan.so.1 "$out/lib/"
echo '{ "file_format_version": "1.0.1", "ICD": { "library_path": "libEGL_nvidia.so.0", "api_version": "1.4.312" } }' > "$out/lib/nvidia_egl_icd.json"
[ -f "$out/bin/node.xz" ] || xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > "$out/bin/node.xz"
du -sh "$out"
