#!/usr/bin/env bash
# Starts the app on the embedded workbook (data/workbook.sqlite3); an empty workbook gets the demo.
# Creates .venv with Python 3.11 and installs the pinned requirements on first use.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3.11}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
exec .venv/bin/python -m streamlit run app.py "$@"
