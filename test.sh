#!/usr/bin/env bash
# Runs every test. Creates .venv with Python 3.11 and installs the pinned requirements first.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3.11}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# The browser journeys drive Debian's Chromium (Playwright's own browser download does not work everywhere).
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q && $SUDO apt-get install -y -q chromium fonts-noto-cjk
fi
exec .venv/bin/python -m pytest "$@"
