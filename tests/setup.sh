#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine and compiles the
# translations and the static files' content-hashed copies: Python packages in .venv, the pinned
# htmx and Nu Html Checker from npm, and Debian's Chromium, CJK fonts, a Java runtime (for the
# checker) and redis-server (the suite starts its own, for the shared sign-in rate limit) when they
# are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -q
  $sudo apt-get install -y -q "${missing[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[test]'
npm ci --no-audit --no-fund --loglevel=error
.venv/bin/portal digest compile >/dev/null
.venv/bin/portal translations compile >/dev/null
