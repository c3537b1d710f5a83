"""A stranger's layouts and question templates: recursion, include, loops, huge images → clean errors or bounded."""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, ROOT, science_pack_files, write_pack

from quizgen.cli import main


def huge_png(width: int, height: int) -> bytes:
    """A valid PNG declaring width × height pixels; a few hundred kilobytes compressed."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = zlib.compressobj(9)
    body = b"".join(rows.compress(b"\x00" * (width + 1)) for _ in range(height)) + rows.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


# quizgen's run, then the largest resident set of it and its workers on stderr's last line: RUSAGE_CHILDREN
# in the test's own process would include every earlier child of the session, and RUSAGE_SELF the test process's
# own peak, kept across fork and exec; VmHWM belongs to the program alone
MEASURED = ("import resource, sys\nfrom quizgen.cli import main\ncode = main(sys.argv[1:])\n"
            "own = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
            "print(max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss), file=sys.stderr)\n"
            "sys.exit(code)\n")


def build_with_layouts(tmp_path: Path, layouts: dict[str, str | bytes], *,
                       measured: bool = False) -> subprocess.CompletedProcess:
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    folder = tmp_path / "layouts"
    folder.mkdir()
    for name, content in layouts.items():
        data = content if isinstance(content, bytes) else textwrap.dedent(content).encode("utf-8")
        (folder / name).write_bytes(data)
    start = ["-c", MEASURED] if measured else ["-m", "quizgen"]
    return subprocess.run([sys.executable, *start, "build", str(pack), "--out", str(tmp_path / "out"),
                           "--layouts", str(folder), "--only", "worksheets", "--count", "2", "--quiet"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_a_recursive_layout_is_a_clean_error(tmp_path: Path):
    result = build_with_layouts(tmp_path, {"worksheet-header.html": (
        "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}<header>{{ down(0) }}</header>\n")})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "worksheet-header.html: layout: recursion too deep; a layout must not call itself without end" \
        in result.stderr
    assert not (tmp_path / "out" / "rivers" / "worksheet-A.pdf").exists()


def test_an_import_loop_between_stylesheets_ends(tmp_path: Path):
    result = build_with_layouts(tmp_path, {"worksheet.css": '@import "loop.css";\n',
                                           "loop.css": '@import "worksheet.css";\n'})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "rivers" / "worksheet-A.pdf").is_file()


def test_an_enormous_image_is_not_decoded(tmp_path: Path):
    result = build_with_layouts(tmp_path, {
        "huge.png": huge_png(20000, 20000),
        "worksheet-header.html": '<header><h1>{{ title }}</h1><img src="huge.png" style="width: 20mm"></header>\n',
    }, measured=True)
    peak_kb = int(result.stderr.split()[-1])
    assert result.returncode == 0, result.stderr
    pdf = (tmp_path / "out" / "rivers" / "worksheet-A.pdf").read_bytes()
    assert len(pdf) < 100_000  # 400 megapixels were not embedded
    assert peak_kb < 500 * 1024  # nor decoded into memory (it would take 400 MB)


def write_template(folder: Path, name: str, prompt: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(
        f"id: {name}\ntype: short-answer\nask: subject\nselect: {{values: [entity]}}\nprompt: {prompt!r}\n")


@pytest.mark.parametrize("prompt, expected", [
    ("{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(0) }}", "recursion too deep; expected a simple text"),
    ("{% include '/etc/passwd' %}", "failed to render: no loader for this environment specified"),
    ("{% import 'other.yaml' as x %}", "failed to render: no loader for this environment specified"),
    ("{{ fact.statement * 100000 }}", "not allowed in a question template: repeating"),
    ("{{ (fact.statement * 300) ~ (fact.statement * 300) }}", "a question text is limited to 10,000"),
    ("{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000) %}{% endfor %}{% endfor %}{% endfor %}", "took longer than 2 s"),
    ("   ", "expected a Jinja2 text"),
])
def test_hostile_question_templates_are_clean_errors_naming_the_template(tmp_path: Path, capsys, prompt, expected):
    pack = write_pack(tmp_path / "pack", science_pack_files())
    write_template(tmp_path / "mine", "hostile", prompt)
    assert main(["generate", str(pack), "--templates", str(tmp_path / "mine"), "--types", "short-answer"]) == 1
    err = capsys.readouterr().err
    assert "hostile.yaml:5:9: prompt:" in err and expected in err, err
    assert "Traceback" not in err


def test_a_template_that_renders_an_empty_prompt_is_refused(tmp_path: Path, capsys):
    pack = write_pack(tmp_path / "pack", science_pack_files())
    write_template(tmp_path / "mine", "empty", "{{ '' }}")
    assert main(["generate", str(pack), "--templates", str(tmp_path / "mine"), "--types", "short-answer"]) == 1
    assert "empty.yaml:1:1: question from fact" in capsys.readouterr().err


def test_an_answer_never_doubles_as_a_distractor_and_the_check_would_stop_it(tmp_path: Path):
    """Two entities share a name: the engine never offers the twin, and the set check names the template if
    a question ever carried the same text as a right and a wrong option."""
    from dataclasses import replace

    from quizgen.load.pack import load_pack
    from quizgen.errors import QuizgenError
    from quizgen.generate import generate_question_set
    from quizgen.generate.checks import alias_index, check_question
    from quizgen.generate.templates import load_templates
    from quizgen.model import Option

    files = science_pack_files()
    files["entities.yaml"] += ("  - {id: curie-twin, name: Marie Curie, category: person, attributes: {nation: france}, "
                               "description: A.}\n")
    pack = load_pack(write_pack(tmp_path / "pack", files))
    qs = generate_question_set(pack, count=40, seed=1, types=["multiple-choice"])
    for q in qs.questions:
        texts = [o.text for o in q.options]
        assert len(texts) == len(set(texts))
    assert not any(q.answer == "Marie Curie" and "Marie Curie" in [o.text for o in q.options if not o.correct]
                   for q in qs.questions)
    template = load_templates()["mc-subject"]
    question = next(q for q in qs.questions if q.template_id == "mc-subject")
    wrong = next(i for i, o in enumerate(question.options) if not o.correct)
    options = list(question.options)
    options[wrong] = Option("x", question.answer, False)
    doubled = replace(question, options=tuple(options))
    with pytest.raises(QuizgenError, match=r"mc-subject.yaml:1:1: question from fact .*: options are not distinct"):
        check_question(doubled, template, alias_index(pack))
