#!/usr/bin/env bash
# Installs what quizgen needs on a Debian machine with Python 3.11+: system libraries for
# WeasyPrint, fonts for Latin and Arabic names, Python's venv module when Debian left it out,
# a virtualenv with the package. Safe to run again: each step is skipped when it is already
# done, and a half-made .venv (no pip, or a Python that no longer runs) is made again.
#   scripts/setup.sh          runtime only
#   scripts/setup.sh --test   also test tools (poppler-utils, chromium, LibreOffice Writer without a GUI, node packages, test extras)
# PYTHON picks the interpreter (default python3); QUIZGEN_PIP_OPTIONS adds pip options, e.g.
# "--no-index --find-links /media/wheels" on a machine without network. When another apt-get or dpkg holds
# the package manager's lock (unattended-upgrades just after boot), apt-get waits for it, at most
# QUIZGEN_APT_LOCK_TIMEOUT seconds (default 600).
set -euo pipefail

apt_lock_timeout=${QUIZGEN_APT_LOCK_TIMEOUT:-600}
apt_lock_poll=${QUIZGEN_APT_LOCK_POLL:-5}  # seconds between tries of a locked `apt-get update`

runtime_debs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core)
test_debs=(poppler-utils chromium chromium-driver libreoffice-writer-nogui nodejs npm)

missing_debs() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

# apt-get with its chatter (progress, debconf's "delaying package configuration" warnings) kept in a
# log that is shown only when the command fails. A lock held by another apt-get or dpkg is waited for:
# DPkg::Lock::Timeout makes apt-get wait for dpkg's lock, but `apt-get update` gives up at once on the
# package lists' lock (apt 2.6 does), so a command that failed on a lock is tried again until the time is up.
apt_quietly() {
  local sudo="" log deadline=$((SECONDS + apt_lock_timeout)) said=0
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  log=$(mktemp "${TMPDIR:-/tmp}/quizgen-apt.XXXXXX")
  until DEBIAN_FRONTEND=noninteractive $sudo apt-get -q -y -o DPkg::Lock::Timeout="$apt_lock_timeout" "$@" \
          >"$log" 2>&1; do
    if grep -q "Could not get lock" "$log" && [ "$SECONDS" -lt "$deadline" ]; then
      [ "$said" = 1 ] || echo "waiting for another apt-get or dpkg to finish (at most ${apt_lock_timeout} s)" >&2
      said=1
      sleep "$apt_lock_poll"
      continue
    fi
    cat "$log" >&2
    rm -f "$log"
    echo "apt-get $* failed" >&2
    return 1
  done
  rm -f "$log"
}

install_debs() {
  local missing
  missing=$(missing_debs "$@" | tr '\n' ' ')
  missing=${missing% }
  [ -z "$missing" ] && return 0
  echo "installing Debian packages: $missing" >&2
  apt_quietly update
  # shellcheck disable=SC2086
  apt_quietly install --no-install-recommends $missing
}

# Debian's own python3 ships without ensurepip: `python3 -m venv` needs python3.X-venv
venv_works() {
  "$1" -c "import ensurepip, venv" >/dev/null 2>&1
}

venv_package_for() {
  local version
  version=$("$1" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  if apt-cache show "python$version-venv" >/dev/null 2>&1; then
    echo "python$version-venv"
  else
    echo "python3-venv"
  fi
}

ensure_venv_module() {
  local python=$1
  venv_works "$python" && return 0
  if ! command -v apt-get >/dev/null; then
    echo "$python has no venv module (ensurepip); install it, or set PYTHON to a Python that has one" >&2
    return 1
  fi
  install_debs "$(venv_package_for "$python")"
  venv_works "$python" || { echo "$python still has no venv module after installing it" >&2; return 1; }
}

# a .venv is usable when its Python runs and has pip; anything else is removed and made again
venv_usable() {
  [ -x .venv/bin/python ] && .venv/bin/python -m pip --version >/dev/null 2>&1
}

ensure_virtualenv() {
  local python=$1
  if [ -e .venv ] && ! venv_usable; then
    echo "removing a half-made .venv (no working Python with pip) and making it again" >&2
    rm -rf .venv
  fi
  if [ ! -e .venv ]; then
    ensure_venv_module "$python"
    "$python" -m venv .venv
  fi
}

install_package() {
  local extras=$1 stamp fingerprint
  stamp=".venv/.quizgen-installed$extras"
  fingerprint=$(sha256sum pyproject.toml | cut -d' ' -f1)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ] && return 0
  echo "installing quizgen$extras into .venv (log: .venv/pip.log)" >&2
  # shellcheck disable=SC2086
  if ! { .venv/bin/python -m pip install --disable-pip-version-check ${QUIZGEN_PIP_OPTIONS:-} --upgrade pip &&
         .venv/bin/python -m pip install --disable-pip-version-check ${QUIZGEN_PIP_OPTIONS:-} -e ".$extras"; } \
       > .venv/pip.log 2>&1; then
    cat .venv/pip.log >&2
    exit 1
  fi
  echo "$fingerprint" > "$stamp"
}

install_node_packages() {
  [ -f tests/node/package.json ] || return 0
  local node_stamp=tests/node/node_modules/.quizgen-installed node_fingerprint
  node_fingerprint=$(cat tests/node/package.json tests/node/package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ ! -f "$node_stamp" ] || [ "$(cat "$node_stamp")" != "$node_fingerprint" ]; then
    (cd tests/node && npm ci --silent --no-audit --no-fund)
    echo "$node_fingerprint" > "$node_stamp"
  fi
}

main() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  local want_test=0 python=${PYTHON:-python3}
  [ "${1:-}" = "--test" ] && want_test=1
  if [ "$want_test" = 1 ]; then
    # node and npm may come from elsewhere (nvm, a toolchain image); only install them when absent
    command -v node >/dev/null && command -v npm >/dev/null && test_debs=(poppler-utils chromium chromium-driver libreoffice-writer-nogui)
    install_debs "${runtime_debs[@]}" "${test_debs[@]}"
  else
    install_debs "${runtime_debs[@]}"
  fi
  ensure_virtualenv "$python"
  if [ "$want_test" = 1 ]; then
    install_package "[test]"
    install_node_packages
  else
    install_package ""
  fi
}

# sourcing the file (as the tests do) defines the steps without running them
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
