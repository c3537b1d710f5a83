#!/usr/bin/env bash
# Sets everything up, then builds the default content pack into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/quizgen build content/deir-ez-zor-2014 --out build "$@"
