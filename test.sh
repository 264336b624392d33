#!/usr/bin/env bash
# Runs every test. Creates .venv with Python 3.11 and installs the pinned requirements first.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3.11}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
