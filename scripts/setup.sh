#!/usr/bin/env bash
# Installs what quizgen needs on a Debian machine with Python 3.11+: system libraries for
# WeasyPrint, fonts for Latin and Arabic names, a virtualenv with the package. Safe to run
# again: each step is skipped when it is already done.
#   scripts/setup.sh          runtime only
#   scripts/setup.sh --test   also test tools (poppler-utils, chromium, node packages, test extras)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

runtime_debs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core)
test_debs=(poppler-utils chromium chromium-driver nodejs npm)

missing_debs() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

install_debs() {
  local missing
  missing=$(missing_debs "$@")
  [ -z "$missing" ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing Debian packages: $missing" >&2
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# node and npm may come from elsewhere (nvm, a toolchain image); only install them when absent
if [ "$want_test" = 1 ]; then
  command -v node >/dev/null && command -v npm >/dev/null && test_debs=(poppler-utils chromium chromium-driver)
  install_debs "${runtime_debs[@]}" "${test_debs[@]}"
else
  install_debs "${runtime_debs[@]}"
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi

extras=""
[ "$want_test" = 1 ] && extras="[test]"
stamp=".venv/.quizgen-installed$extras"
fingerprint=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$fingerprint" ]; then
  echo "installing quizgen$extras into .venv (log: .venv/pip.log)" >&2
  if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
         .venv/bin/python -m pip install --disable-pip-version-check -e ".$extras"; } > .venv/pip.log 2>&1; then
    cat .venv/pip.log >&2
    exit 1
  fi
  echo "$fingerprint" > "$stamp"
fi

if [ "$want_test" = 1 ] && [ -f tests/node/package.json ]; then
  node_stamp=tests/node/node_modules/.quizgen-installed
  node_fingerprint=$(cat tests/node/package.json tests/node/package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ ! -f "$node_stamp" ] || [ "$(cat "$node_stamp")" != "$node_fingerprint" ]; then
    (cd tests/node && npm ci --silent --no-audit --no-fund)
    echo "$node_fingerprint" > "$node_stamp"
  fi
fi
