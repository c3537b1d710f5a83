"""scripts/setup.sh on a fresh Debian: the venv module installed when Debian left it out, a half-made
.venv made again, apt's chatter kept out of the output. apt-get, apt-cache and dpkg-query are stand-ins
on PATH here (the steps run for real, the package manager does not); the .venv repair runs pip for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

SCRIPT = ROOT / "scripts" / "setup.sh"


def fake_tools(folder: Path, *, apt_fails: bool = False, locked_for: int = 0) -> Path:
    """Stand-ins: nothing is installed, apt-get is noisy (and records what it was asked), python3.11-venv exists.
    With `locked_for`, the first so many apt-get runs find the package lists locked, as apt-get update does while
    another one runs."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    locked = (f'if [ "$(wc -l < {folder}/apt-calls)" -le {locked_for} ]; then\n'
              "  echo 'E: Could not get lock /var/lib/apt/lists/lock. It is held by process 812 (apt-get)' >&2\n"
              "  echo 'E: Unable to lock directory /var/lib/apt/lists/' >&2; exit 100\nfi\n")
    tools = {
        "dpkg-query": "exit 1\n",
        "apt-cache": 'case "$2" in python3.11-venv) exit 0;; *) exit 100;; esac\n',
        "apt-get": (f'echo "$@" >> {folder}/apt-calls\n' + locked +
                    'echo "Reading package lists..."\n'
                    'echo "debconf: delaying package configuration, since apt-utils is not installed" >&2\n'
                    'case "$*" in *install*python3.11-venv*) touch ' f'{folder}/venv-installed;; esac\n'
                    + ("echo 'E: Unable to locate package' >&2; exit 100\n" if apt_fails else "exit 0\n")),
        "sudo": 'exec "$@"\n',
        # a Debian python3 without ensurepip until python3.11-venv is "installed"
        "debian-python3": (f'case "$2" in "import ensurepip, venv") [ -e {folder}/venv-installed ];; '
                           '*) echo 3.11;; esac\n'),
    }
    for name, body in tools.items():
        path = bin_dir / name
        path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
        path.chmod(0o755)
    return bin_dir


def run_steps(folder: Path, steps: str, **env) -> subprocess.CompletedProcess:
    bin_dir = fake_tools(folder, apt_fails=env.pop("apt_fails", False), locked_for=env.pop("locked_for", 0))
    environment = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "TMPDIR": str(folder), **env}
    return subprocess.run(["bash", "-c", f"set -euo pipefail; source {SCRIPT}; {steps}"], cwd=folder,
                          capture_output=True, text=True, env=environment, timeout=120)


def test_installing_debian_packages_names_them_and_hides_apt_chatter(tmp_path):
    done = run_steps(tmp_path, "install_debs libpango-1.0-0 fonts-noto-core")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "installing Debian packages: libpango-1.0-0 fonts-noto-core\n"
    assert done.stdout == ""
    assert (tmp_path / "apt-calls").read_text().splitlines() == [
        "-q -y -o DPkg::Lock::Timeout=600 update",
        "-q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends libpango-1.0-0 fonts-noto-core"]
    assert not list(tmp_path.glob("quizgen-apt.*"))  # the log is removed


def test_apt_waits_for_a_lock_another_apt_get_holds(tmp_path):
    done = run_steps(tmp_path, "install_debs fonts-noto-core", locked_for=3, QUIZGEN_APT_LOCK_POLL="0.1")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ("installing Debian packages: fonts-noto-core\n"
                           "waiting for another apt-get or dpkg to finish (at most 600 s)\n")
    calls = (tmp_path / "apt-calls").read_text().splitlines()
    assert calls == ["-q -y -o DPkg::Lock::Timeout=600 update"] * 4 + [
        "-q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends fonts-noto-core"]
    assert not list(tmp_path.glob("quizgen-apt.*"))


def test_a_lock_held_too_long_fails_with_apt_output(tmp_path):
    done = run_steps(tmp_path, "install_debs fonts-noto-core", locked_for=1000, QUIZGEN_APT_LOCK_TIMEOUT="2",
                     QUIZGEN_APT_LOCK_POLL="0.2")
    assert done.returncode != 0
    assert done.stderr.startswith("installing Debian packages: fonts-noto-core\n"
                                  "waiting for another apt-get or dpkg to finish (at most 2 s)\n")
    assert "E: Could not get lock /var/lib/apt/lists/lock" in done.stderr
    assert done.stderr.endswith("apt-get update failed\n")
    assert 2 <= len((tmp_path / "apt-calls").read_text().splitlines()) <= 30  # tried again, then gave up


def test_a_failing_apt_shows_its_output(tmp_path):
    done = run_steps(tmp_path, "install_debs fonts-noto-core", apt_fails=True)
    assert done.returncode != 0
    assert "E: Unable to locate package" in done.stderr and "apt-get update failed" in done.stderr


def test_a_python_without_ensurepip_gets_its_venv_package(tmp_path):
    done = run_steps(tmp_path, f"ensure_venv_module {tmp_path}/bin/debian-python3")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "installing Debian packages: python3.11-venv\n"
    assert (tmp_path / "venv-installed").exists()


def test_a_python_with_venv_installs_nothing(tmp_path):
    (tmp_path / "venv-installed").touch()
    done = run_steps(tmp_path, f"ensure_venv_module {tmp_path}/bin/debian-python3")
    assert done.returncode == 0 and done.stderr == "" and not (tmp_path / "apt-calls").exists()


# the smallest PEP 517/660 build backend: an empty package, so pip installs it without network or setuptools
PROBE_BACKEND = '''
import base64, hashlib, zipfile

FILES = {"setup_probe-0.dist-info/METADATA": b"Metadata-Version: 2.1\\nName: setup-probe\\nVersion: 0\\n",
         "setup_probe-0.dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: probe\\nRoot-Is-Purelib: true\\n"
                                          b"Tag: py3-none-any\\n"}

def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "setup_probe-0-py3-none-any.whl"
    with zipfile.ZipFile(f"{wheel_directory}/{name}", "w") as wheel:
        for path, data in FILES.items():
            wheel.writestr(path, data)
        record = [_record_line(p, d) for p, d in FILES.items()] + ["setup_probe-0.dist-info/RECORD,,"]
        wheel.writestr("setup_probe-0.dist-info/RECORD", "\\n".join(record) + "\\n")
    return name

build_editable = build_wheel
'''


@pytest.mark.slow
def test_a_half_made_venv_without_pip_is_made_again(tmp_path):
    """A project folder with setup.sh and a package of its own (no dependencies, built offline)."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts" / "setup.sh")
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "probe_backend"\nbackend-path = ["."]\n'
        '[project]\nname = "setup-probe"\nversion = "0"\n', encoding="utf-8")
    (tmp_path / "probe_backend.py").write_text(PROBE_BACKEND, encoding="utf-8")
    python = getattr(sys, "_base_executable", sys.executable)
    made = subprocess.run([python, "-m", "venv", "--without-pip", str(tmp_path / ".venv")], capture_output=True)
    assert made.returncode == 0
    environment = {**os.environ, "PYTHON": python, "QUIZGEN_PIP_OPTIONS": "--no-index --no-build-isolation"}
    environment.pop("VIRTUAL_ENV", None)
    done = subprocess.run(["bash", str(tmp_path / "scripts" / "setup.sh")], cwd=tmp_path, capture_output=True,
                          text=True, env=environment, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "removing a half-made .venv (no working Python with pip) and making it again",
        "installing quizgen into .venv (log: .venv/pip.log)"]
    assert subprocess.run([str(tmp_path / ".venv" / "bin" / "python"), "-m", "pip", "--version"]).returncode == 0
    again = subprocess.run(["bash", str(tmp_path / "scripts" / "setup.sh")], cwd=tmp_path, capture_output=True,
                           text=True, env=environment, timeout=300)
    assert again.returncode == 0 and again.stderr == ""  # a second run has nothing to do
