"""Shared fixtures: small content packs written to tmp_path, and a hand-made question set of every type (made by
helpers.py, which tests import directly)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, family_pack_files, make_sample_set, science_pack_files, write_pack

from quizgen.model import QuestionSet

# every build a test starts, from any fixture, runs in its own process and leaves no build server behind (server.py);
# the server's own tests ask for one
os.environ["QUIZGEN_SERVER"] = "off"


@pytest.fixture(autouse=True)
def private_cache_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test, and every process it starts, keeps quizgen's cached pools in a folder of its own, never in the
    real home (build/pool_cache.py)."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv("QUIZGEN_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def minimal_pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "rivers", MINIMAL_PACK)


@pytest.fixture
def sample_set() -> QuestionSet:
    return make_sample_set()


@pytest.fixture
def science_pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "chemistry", science_pack_files())


@pytest.fixture
def family_pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "curie-family", family_pack_files())
