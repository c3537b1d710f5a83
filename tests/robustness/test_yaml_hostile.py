"""Hostile YAML through the real `quizgen check`: one clear file:line:column line each, exit 1, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, ROOT, write_pack

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))


def pack_with(tmp_path: Path, name: str, content: bytes | str) -> Path:
    folder = write_pack(tmp_path / "pack", MINIMAL_PACK)
    data = content.encode("utf-8") if isinstance(content, str) else content
    (folder / name).write_bytes(data)
    return folder


def check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "quizgen", "check", str(folder)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)


CASES = [
    ("tab", "facts.yaml", "facts:\n\t- id: F1\n",
     "facts.yaml:2:1: YAML syntax error: while scanning for the next token, found character '\\t' that cannot "
     "start any token"),
    ("empty", "facts.yaml", "", "facts.yaml:1:1: file is empty; expected a YAML mapping"),
    ("not-utf8", "facts.yaml", "facts: []\n# caf\xe9\n".encode("latin-1"),
     "facts.yaml:2:6: byte 0xe9 is not valid UTF-8; save the file as UTF-8"),
    ("billion-laughs", "facts.yaml", BILLION_LAUGHS,
     "facts.yaml:1:4: b[0]: YAML anchors and aliases (&name / *name) are not allowed; write the value out"),
    ("python-object", "facts.yaml", "facts: !!python/object/apply:os.system ['echo hacked']\n",
     "facts.yaml:1:8: facts: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed; "
     "only plain YAML values are"),
    ("duplicate-key", "pack.yaml", "id: rivers\ntitle: Rivers\nlanguage: en\nlicence: CC0\ndescription: d\n"
     "period: {start: 1800-01-01, end: 2030-12-31}\ntitle: Again\n",
     "pack.yaml:7:1: title: duplicate key 'title' (first written at line 2)"),
    ("wrong-type", "entities.yaml", "entities:\n  - {id: x, name: [1, 2], category: place, description: d}\n",
     "entities.yaml:2:19: entities[0].name: found a list; expected text"),
    ("unknown-section", "notes.yaml", "questions: []\n",
     "notes.yaml:1:1: questions: unknown section 'questions'; expected sources, entities or facts"),
    ("merge-key", "entities.yaml", "entities:\n  - {<<: {id: x}, name: y}\n",
     "entities.yaml:2:6: entities[0]: mapping keys must be plain text (no merge keys or complex keys)"),
]


@pytest.mark.parametrize("case, name, content, expected", CASES, ids=[c[0] for c in CASES])
def test_hostile_yaml_gives_one_clear_located_error(tmp_path: Path, case, name, content, expected):
    result = check(pack_with(tmp_path, name, content))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert any(line.endswith(expected) for line in result.stderr.splitlines()), result.stderr


def test_a_bom_is_accepted(tmp_path: Path):
    folder = write_pack(tmp_path / "pack", MINIMAL_PACK)
    path = folder / "entities.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = check(folder)
    assert result.returncode == 0 and "— ok" in result.stdout


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path: Path):
    folder = write_pack(tmp_path / "pack", MINIMAL_PACK)
    with open(folder / "facts.yaml", "wb") as stream:
        stream.write(b"facts:\n")
        stream.write(b"  - id: F1\n" * (50 * 1024 * 1024 // 11))
    # the child reports its own peak: RUSAGE_CHILDREN would include every earlier child of this session, and
    # RUSAGE_SELF keeps the test process's peak across the fork and exec; VmHWM belongs to the program alone
    probe = ("import sys\nfrom quizgen.cli import main\ncode = main(['check', sys.argv[1]])\n"
             "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
             "sys.exit(code)\n")
    result = subprocess.run([sys.executable, "-c", probe, str(folder)], capture_output=True, text=True, cwd=ROOT,
                            timeout=60)
    assert result.returncode == 1
    assert "facts.yaml:1:1: this YAML file is 52,428,801 bytes; expected at most 5,242,880" in result.stderr
    assert int(result.stdout.split()[-1]) < 300 * 1024  # the file was never loaded: well under its size


def test_a_wide_but_legal_file_stays_bounded(tmp_path: Path):
    """200,000 values in one file is refused before it can exhaust memory."""
    folder = write_pack(tmp_path / "pack", MINIMAL_PACK)
    (folder / "facts.yaml").write_text("facts:\n" + "".join(f"  - [{i}, {i}, {i}]\n" for i in range(60_000)))
    result = check(folder)
    assert result.returncode == 1 and "more than 200,000 values in one file" in result.stderr
