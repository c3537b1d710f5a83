"""A selftest.html in a --layouts folder makes the self-test page `quizgen build` exports, as docs/layouts.md says,
and it runs bounded like every other layout: a mistake or a runaway loop is one line naming the user's file."""

from __future__ import annotations

from pathlib import Path

from helpers import MINIMAL_PACK, write_pack
from hostile import one_error_line, run_quizgen

PAGE = ('<!DOCTYPE html><html lang="{{ language }}"><title>{{ title }}</title><style>{{ stylesheet }}</style>'
        '<p id="own-page">Our class page: {{ count }} questions</p>'
        '<script>const QUESTIONS = {{ questions_json }};{{ script }}</script></html>\n')


def build_with_selftest(tmp_path: Path, page: str, **limits):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "selftest.html").write_text(page, encoding="utf-8")
    (layouts / "selftest.css").write_text("#own-page { color: teal }\n", encoding="utf-8")
    return run_quizgen("build", pack, "--out", tmp_path / "out", "--layouts", layouts, "--only", "exports",
                       "--quiet", timeout=60, **limits)


def test_build_makes_the_self_test_page_with_the_users_layout(tmp_path: Path):
    result = build_with_selftest(tmp_path, PAGE)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "rivers" / "selftest.html").read_text(encoding="utf-8")
    assert '<p id="own-page">Our class page: 3 questions</p>' in page
    assert "#own-page { color: teal }" in page  # the user's stylesheet, inlined
    assert "Rhine" in page and "<header>" not in page  # the questions, not the built-in page


def test_a_mistake_in_the_users_selftest_is_one_line_at_its_file(tmp_path: Path):
    line = one_error_line(build_with_selftest(tmp_path, "<p>{{ titel }}</p>\n"))
    assert line == f"{tmp_path / 'layouts' / 'selftest.html'}:1:1: layout: UndefinedError: 'titel' is undefined"
    assert not (tmp_path / "out" / "rivers" / "selftest.html").exists()


def test_a_runaway_selftest_is_stopped(tmp_path: Path):
    page = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"
    line = one_error_line(build_with_selftest(tmp_path, page, sandbox_cpu=3, sandbox_wall=10))
    assert line.startswith(str(tmp_path / "layouts")), line
    assert "processor time" in line or "took longer than" in line, line
    assert not (tmp_path / "out" / "rivers" / "selftest.html").exists()
