#!/usr/bin/env bash
# Sets everything up (including test tools), then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# -n auto: one test process per core (pytest-xdist); a later -n in "$@" overrides it
exec .venv/bin/python -m pytest -n auto "$@"
