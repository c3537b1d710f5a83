#!/usr/bin/env bash
# Installs auto-multiple-choice (and the TeX it needs) from Debian, so benchmarks/run.py can time
# it beside quizgen. Large (several hundred MB of TeX); safe to run again.
set -euo pipefail
if command -v auto-multiple-choice >/dev/null; then
  echo "auto-multiple-choice is already installed"
  exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
started=$(date +%s)
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends auto-multiple-choice
echo "installed auto-multiple-choice in $(( $(date +%s) - started )) s"
