#!/usr/bin/env bash
# Everything a fresh Debian machine needs for ONNX Lens's build, tests and `npm start`.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(libonnx-testdata python3-onnx chromium ripgrep libkrb5-dev build-essential pkg-config python3)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt_log=$(mktemp)
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
    tail -40 "$apt_log"; exit 1
  fi
  rm -f "$apt_log"
fi

# package.json's allowScripts turns off onnxruntime-node's install script: it downloads CUDA/TensorRT
# providers from a feed outside the npm registry, and a failed download rolls back the whole install.
# The CPU runtime ships inside the package.
npm ci --no-audit --no-fund

# code-server (VS Code 1.100 in the browser) for `npm start` and the end-to-end tests: installed once
# into .e2e/ (1-2 minutes, native modules built from source); later runs skip it.
node --import tsx test/e2e/codeServer.ts
