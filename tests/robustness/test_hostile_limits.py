"""Layouts and templates that ask for unbounded time or memory: each is stopped by the sandbox's limits or the
template operator hooks and reported on one line naming the user's file, never a hang or a traceback."""

from __future__ import annotations

import struct
import textwrap
import zlib
from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, science_pack_files, weasyprint_import_log, write_pack
from hostile import one_error_line, run_quizgen
from quizgen.ownership import record_loose_file


def build_with_layouts(tmp_path: Path, layouts: dict[str, str | bytes], **limits):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    folder = tmp_path / "layouts"
    folder.mkdir()
    for name, content in layouts.items():
        data = content if isinstance(content, bytes) else textwrap.dedent(content).encode("utf-8")
        (folder / name).write_bytes(data)
    return run_quizgen("build", pack, "--out", tmp_path / "out", "--layouts", folder, "--only", "worksheets",
                       "--count", "2", "--quiet", **limits)


def header(body: str) -> dict[str, str]:
    return {"worksheet-header.html": f"<header><h1>{{{{ title }}}}</h1>{body}</header>\n"}


def svg_fan_out(levels: int = 7, fan: int = 10) -> str:
    groups = ['<g id="l0"><rect width="1" height="1"/></g>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use href="#l{level - 1}"/>' for _ in range(fan))
        groups.append(f'<g id="l{level}">{uses}</g>')
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs>' + "".join(groups)
            + f'</defs><use href="#l{levels}"/></svg>')


def big_png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = zlib.compressobj(9)
    body = b"".join(rows.compress(b"\x00" * (width * 3 + 1)) for _ in range(height)) + rows.flush()
    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def assert_stopped(tmp_path: Path, line: str, *, blamed: str = "worksheet-header.html") -> None:
    """The line names the user's layout (its folder when it holds several files), not the built-in."""
    where = line.split(": ")[0].split(":")[0]
    assert where == str(tmp_path / "layouts" / blamed).rstrip("/"), line
    assert "templates/layouts" not in line, line
    assert not (tmp_path / "out" / "rivers" / "worksheet-A.pdf").exists()


def test_an_svg_use_fan_out_is_stopped(tmp_path: Path):
    files = {**header('<img src="bomb.svg" style="width: 20mm">'), "bomb.svg": svg_fan_out()}
    line = one_error_line(build_with_layouts(tmp_path, files))
    assert_stopped(tmp_path, line, blamed="")
    assert "s of processor time; stopped" in line or "took longer than" in line or "MB of memory" in line


def test_an_import_fan_out_is_stopped(tmp_path: Path):
    files = {"c0.css": "h1 { color: black }\n"}
    for level in range(1, 8):
        files[f"c{level}.css"] = f'@import "c{level - 1}.css";\n' * 10
    files["worksheet.css"] = '@import "c7.css";\n'
    line = one_error_line(build_with_layouts(tmp_path, {**header(""), **files}))
    assert_stopped(tmp_path, line, blamed="c1.css")
    assert "refused to load more than 1,000 files for one document" in line


def test_a_hundred_thousand_page_breaks_are_stopped(tmp_path: Path):
    body = "{% for i in range(10000) %}<p style='break-after: page'>x</p>{% endfor %}" * 10
    line = one_error_line(build_with_layouts(tmp_path, header(body)))
    assert_stopped(tmp_path, line)


def test_a_layout_stopped_in_a_render_worker_forked_warm_is_the_same_one_line(tmp_path: Path, monkeypatch):
    environment, weasyprint_imports = weasyprint_import_log(tmp_path)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    folder = tmp_path / "layouts"
    folder.mkdir()
    endless = "{% for i in range(10000) %}<p style='break-after: page'>x</p>{% endfor %}" * 10
    (folder / "worksheet-header.html").write_text(header(endless)["worksheet-header.html"], encoding="utf-8")
    line = one_error_line(run_quizgen("build", pack, "--out", tmp_path / "out", "--layouts", folder, "--only",
                                      "worksheets,keys", "--count", "2", "--jobs", "2", "--quiet"))
    assert_stopped(tmp_path, line)
    assert line.endswith("used more than 5 s of processor time; stopped") or "took longer than" in line
    # the worksheet's worker and the key's, busy at the same time, found WeasyPrint imported by their warm start
    assert len(weasyprint_imports()) == 1


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deeply_nested_elements_are_one_line(tmp_path: Path, depth: int):
    line = one_error_line(build_with_layouts(tmp_path, header("<div>" * depth + "x" + "</div>" * depth)))
    assert_stopped(tmp_path, line)


def test_nested_loops_in_a_layout_are_stopped(tmp_path: Path):
    body = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    line = one_error_line(build_with_layouts(tmp_path, header(body)))
    assert_stopped(tmp_path, line)


def test_a_picture_just_under_pillows_own_limit_is_stopped(tmp_path: Path):
    files = {**header('<img src="big.png" style="width: 20mm">'), "big.png": big_png(13000, 13000)}
    line = one_error_line(build_with_layouts(tmp_path, files, sandbox_memory=1024 ** 3))
    assert_stopped(tmp_path, line, blamed="")


@pytest.mark.parametrize("expression, expected", [
    ("1/0", "ZeroDivisionError: division by zero"),
    ("'x'.encode('no-such-codec')", "LookupError: unknown encoding: no-such-codec"),
    ("'x' * 10**9", "repeating 1 items 1,000,000,000 times is too much"),
    ("[1, 2] * 10**9", "repeating 2 items 1,000,000,000 times is too much"),
    ("10**5000", "10 ** 5000 is too large; numbers are limited to 4,096 bits"),
    ("'x'|center(3 * 10**9)", "used too much memory"),
])
def test_layout_expression_errors_are_one_line_at_the_users_line(tmp_path: Path, expression: str, expected: str):
    line = one_error_line(build_with_layouts(tmp_path, header(f"{{{{ {expression} }}}}")))
    assert_stopped(tmp_path, line)
    assert line.startswith(f"{tmp_path / 'layouts' / 'worksheet-header.html'}:1:1: layout: ") and expected in line


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_attachment_outside_the_folders_is_one_line(tmp_path: Path, jobs: str):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    folder = tmp_path / "layouts"
    folder.mkdir()
    (folder / "worksheet-header.html").write_text(
        '<header><h1>{{ title }}</h1>\n<a rel="attachment" href="file:///etc/passwd">notes</a></header>\n')
    result = run_quizgen("build", pack, "--out", tmp_path / "out", "--layouts", folder, "--only", "worksheets,keys",
                         "--versions", "2", "--jobs", jobs, "--count", "2", "--quiet")
    line = one_error_line(result)
    assert line == (f"{folder / 'worksheet-header.html'}:2:39: layout: refused to read 'file:///etc/passwd': "
                    "layouts may only read files inside the layout folders and the pack folder")
    assert not (tmp_path / "out" / "rivers").exists()


def write_template(folder: Path, prompt: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "hostile.yaml").write_text(
        f"id: hostile\ntype: short-answer\nask: subject\nselect: {{values: [entity]}}\nprompt: {prompt!r}\n")
    return folder


@pytest.mark.parametrize("prompt, expected", [
    ("{{ 9**(9**9) }}", "not allowed in a question template"),
    ("{{ 'a' * 10**9 }}", "not allowed in a question template"),
    ("{{ 10**5000 }}", "not allowed in a question template"),
    ("{{ 1/0 }}", "failed to render: division by zero"),
    ("{{ fact.origin }}", "access to attribute 'origin' of 'Fact' object is unsafe"),
    ("{% for i in range(10000) %}{% for j in range(10000) %}{{ i }}{% endfor %}{% endfor %}", "took longer"),
    ("{{ 'x'.encode('no-such-codec') }}", "failed to render: unknown encoding: no-such-codec"),
])
def test_template_arithmetic_and_repetition_are_bounded(tmp_path: Path, prompt: str, expected: str):
    pack = write_pack(tmp_path / "pack", science_pack_files())
    mine = write_template(tmp_path / "mine", prompt)
    line = one_error_line(run_quizgen("generate", pack, "--templates", mine, "--types", "short-answer",
                                      timeout=60))
    assert "mine/hostile.yaml:5:9: prompt: " in line and expected in line, line


def test_a_zip_bomb_left_as_the_anki_target_is_not_read_whole(tmp_path: Path):
    import zipfile

    pack = write_pack(tmp_path / "pack", science_pack_files())
    target = tmp_path / "deck.apkg"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("collection.anki2", "w", force_zip64=True) as member:
            block = b"\0" * (16 * 1024 * 1024)
            for _ in range(128):  # 2 GB of zeros, 2 MB compressed
                member.write(block)
    # recorded as quizgen's own earlier export, the deck is read for its note times (a stranger's is refused)
    record_loose_file(target)
    result = run_quizgen("export", pack, "--format", "anki", "-o", target, timeout=120, memory=1536 * 1024 ** 2)
    assert result.returncode == 0, result.stderr[-2000:]
    assert zipfile.ZipFile(target).getinfo("collection.anki2").file_size < 10_000_000
