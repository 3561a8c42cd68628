#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, then compiles the
# translations and builds nothing else: Python packages in .venv, the pinned htmx from npm,
# and Debian's Chromium and CJK fonts when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -q
  $sudo apt-get install -y -q chromium fonts-noto-cjk
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[test]'
npm ci --no-audit --no-fund --loglevel=error
.venv/bin/portal translations compile >/dev/null
