#!/usr/bin/env bash
# Install what the browser tests (test/browser/**) need: Debian's headless-capable Chromium at
# /usr/bin/chromium, driven by playwright-core (an npm devDependency that downloads nothing).
# Idempotent: does nothing when /usr/bin/chromium exists. Needs root (or sudo) and apt; CI runs it
# before the tests. Never downloads a browser from anywhere but Debian's archive.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
  echo "browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) already installed" >&2
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 || { echo "run as root (or install sudo)" >&2; exit 1; }
  sudo=(sudo)
fi

echo "browser: installing Debian's chromium" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium >&2

if [[ ! -x "$CHROMIUM" ]]; then
  echo "browser: apt installed chromium but $CHROMIUM is missing" >&2
  exit 1
fi
echo "browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed" >&2
