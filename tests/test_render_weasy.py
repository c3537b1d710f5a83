"""The WeasyPrint boundary (render/weasy.py) against the installed WeasyPrint: every internal it reads is
read here from a small real document, so an upgrade that moves one fails here, by name, before a build
composes wrong pages."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from quizgen.errors import QuizgenError
from quizgen.render import weasy
from quizgen.render.fetching import refusals_reported
from quizgen.render.pieces import PIECE_ID_PREFIX

ROOT = Path(__file__).resolve().parents[1]
PAGE = """<!DOCTYPE html><html><head><style>
@page {{ size: 100mm 100mm; margin: 10mm; @top-right {{ content: "Version A · page 1 of 1"; font-size: 9pt; }} }}
body {{ margin: 0; font-size: 12pt; }} .piece {{ padding: 2mm 0; }} .tabbed {{ tab-size: 24px; }}
</style></head><body>{body}</body></html>"""
PIECE = (f'<div class="piece" id="{PIECE_ID_PREFIX}0"><p>Who <span data-qg="slot"></span>commanded '
         f'<b data-qg="name">Abu Kamal</b></p><p class="tabbed" data-qg="tabbed">x\ty</p></div>')


@dataclass(frozen=True)
class Page:
    html: str
    layout_folders: tuple[Path, ...]
    content_folders: tuple[Path, ...] = ()
    layout: Path = ROOT / "templates" / "layouts" / "worksheet.html"


def laid_out(tmp_path: Path, body: str):
    document = Page(PAGE.format(body=body), (tmp_path,))
    refusals: list = []
    with refusals_reported(document, refusals):
        return weasy.laid_out(document, refusals)


def test_the_installed_weasyprint_is_in_the_pinned_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pin = next(d for d in project["project"]["dependencies"] if d.startswith("weasyprint"))
    low, high = (int(n) for n in re.fullmatch(r"weasyprint>=(\d+),<(\d+)", pin).groups())
    assert low <= int(weasy.version().split(".")[0]) < high


def test_the_version_read_beside_the_package_is_the_one_its_metadata_gives():
    from importlib import metadata

    assert weasy.version() == metadata.version("weasyprint")


IMPORT_PROBE = """
import subprocess, sys
started = []
plain_init = subprocess.Popen.__init__
def counted(self, args, *rest, **options):
    started.append(args)
    plain_init(self, args, *rest, **options)
subprocess.Popen.__init__ = counted
{imports}
print(len(started))
print("\\n".join(sorted({{line.split()[-1] for line in open("/proc/self/maps") if ".so" in line}})))
"""


def imported_with(imports: str) -> tuple[int, set[str]]:
    """(processes started, shared objects mapped) by a fresh interpreter that runs `imports`."""
    lines = subprocess.run([sys.executable, "-c", IMPORT_PROBE.format(imports=imports)], capture_output=True,
                           text=True, check=True).stdout.split()
    return int(lines[0]), {name for name in lines[1:] if "python3" not in name and "site-packages" not in name}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_weasyprint_is_imported_with_one_library_lookup_and_the_same_libraries():
    # uharfbuzz, which fontTools would load inside WeasyPrint's import (and libstdc++ with it), is kept out of both,
    # and so are the modules WeasyPrint imports deferred (fontTools' subsetter loads librt)
    plain_starts, plain_libraries = imported_with(
        "sys.modules['uharfbuzz'] = None\nfrom quizgen.lean_imports import deferred\n"
        "with deferred('fontTools.subset'), deferred('fontTools.varLib.instancer', 'instantiateVariableFont'):\n"
        "    import weasyprint")
    fast_starts, fast_libraries = imported_with("from quizgen.render import weasy; weasy.imported()")
    assert fast_starts == 1 < plain_starts  # one `ldconfig -p` against one per name WeasyPrint tries
    assert fast_libraries == plain_libraries
    assert any("libpango-1.0" in name for name in fast_libraries)


def test_the_html_parsers_pattern_cache_answers_and_parses_as_tinyhtml5_does(monkeypatch):
    from xml.etree import ElementTree

    import tinyhtml5
    from tinyhtml5 import inputstream

    weasy.imported()
    assert type(inputstream.characters_until_regex).__name__ == "_PatternsByCharacters"
    html = ("<!DOCTYPE html><html><head><title>A &amp; B</title><style>p > b { x: 1 }</style></head><body>"
            "<!-- a note --><p class='x' data-qg=\"slot\">Deir ez-Zor &lt;2014&gt; <b>bold</b>\t tab "
            "&#x62F;&#x64A;&#x631; <br/>line</p><table><tr><td>1<td>two</table></body></html>")
    patched = ElementTree.tostring(tinyhtml5.parse(html))
    assert (("<", "\u0000"), False) in inputstream.characters_until_regex  # kept under the characters, found again
    monkeypatch.setattr(inputstream, "characters_until_regex", {})  # tinyhtml5's own, which never answers
    assert ElementTree.tostring(tinyhtml5.parse(html)) == patched


def test_a_piece_is_found_in_the_box_tree_with_its_marks_ink_and_tab_size(tmp_path):
    measured = weasy.measure(laid_out(tmp_path, PIECE))
    piece = measured[f"{PIECE_ID_PREFIX}0"]
    assert list(measured) == [f"{PIECE_ID_PREFIX}0"] and piece.page == 0
    assert piece.band.y < piece.box.y and piece.box.bottom < piece.band.bottom
    assert piece.margin_top > 0 and piece.margin_bottom > 0  # a <p>'s default margins, in CSS pixels
    assert len(piece.ink) >= 3 and all(r.width > 0 and r.height > 0 for r in piece.ink)
    name = piece.mark("name")
    assert name.ancestors == (("p", "", ""),) and name.lines == 1 and name.last_on_line
    assert name.text_x == pytest.approx(name.box.x) and name.first_line_right > name.text_x
    assert name.baseline is not None and name.box.y < name.baseline < name.box.bottom
    slot = piece.mark("slot")
    assert slot.lines == 0 and slot.baseline == pytest.approx(name.baseline) and not slot.last_on_line
    assert piece.mark("tabbed").tab_size == pytest.approx(24.0)


def test_page_facts_read_the_page_box_and_the_top_right_margin_box(tmp_path):
    facts = weasy.page_facts(laid_out(tmp_path, PIECE), 0, 0)
    size = 100 / 25.4 * 96  # 100 mm in CSS pixels
    assert facts.width == pytest.approx(size) and facts.height == pytest.approx(size)
    margin = 10 / 25.4 * 96
    assert facts.content.x == pytest.approx(margin) and facts.content.width == pytest.approx(size - 2 * margin)
    assert facts.header_right == pytest.approx(size - margin)
    assert 0 < facts.header_baseline < margin


def test_fonts_written_while_their_dates_are_kept_are_made_by_the_class_weasyprint_uses(tmp_path):
    from weasyprint.pdf import fonts

    before = fonts.TTFont
    with weasy.font_dates_kept():
        assert fonts.TTFont is not before and issubclass(fonts.TTFont, before)
        first = laid_out(tmp_path, PIECE).write_pdf()
        second = laid_out(tmp_path, PIECE).write_pdf()
    assert fonts.TTFont is before
    assert first == second and first.startswith(b"%PDF")


def test_a_refused_fetch_stops_the_layout_with_one_located_error(tmp_path):
    with pytest.raises(QuizgenError) as caught:
        laid_out(tmp_path, '<img src="https://example.org/x.png">')
    assert "layouts may not use the network" in str(caught.value)
    (tmp_path / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
                                      encoding="utf-8")
    assert laid_out(tmp_path, f'<img src="{(tmp_path / "dot.svg").as_uri()}">').pages


def test_drawn_extents_reach_absolutely_placed_pieces_and_text_past_their_box(tmp_path):
    body = (f'<div style="position: relative; height: 60mm">'
            f'<div id="{PIECE_ID_PREFIX}1" style="position: absolute; top: 10mm; height: 10mm; width: 40mm; '
            f'overflow: hidden"><p style="margin: 0">{"many words " * 60}</p></div>'
            f'<div id="{PIECE_ID_PREFIX}2" style="position: absolute; top: 30mm; height: 10mm; width: 40mm">x</div>'
            "</div>")
    extents = weasy.drawn_extents(laid_out(tmp_path, body))
    px = 96 / 25.4
    (page, top, bottom, pages), second = extents[f"{PIECE_ID_PREFIX}1"], extents[f"{PIECE_ID_PREFIX}2"]
    assert page == 0 and pages == 1 and top == pytest.approx(20 * px, abs=0.5)  # under the page's 10 mm margin
    assert bottom > 40 * px  # its clipped text runs on past its 10 mm box, into where the second one is
    assert second[1:] == (pytest.approx(40 * px, abs=0.5), pytest.approx(50 * px, abs=0.5), 1)


def test_drawn_extents_are_where_transforms_draw_the_boxes(tmp_path):
    """Text centred by `top: 50%; transform: translateY(-50%)` is laid out from the middle of its piece down, past
    its bottom, and drawn centred inside it: the extent is where it is drawn. So with a turn: a box laid out inside
    the piece, under a turned parent, may be drawn outside it; and a transform on a box that is part of a line
    moves nothing."""
    px = 96 / 25.4
    piece = (f'<div id="{PIECE_ID_PREFIX}1" style="position: absolute; top: 10mm; height: 40mm; width: 60mm">'
             '{}</div>')

    def extent(inside: str) -> tuple[float, float]:
        found = weasy.drawn_extents(laid_out(tmp_path, piece.format(inside)))[f"{PIECE_ID_PREFIX}1"]
        return round(found.top / px, 1), round(found.bottom / px, 1)

    def centred(transform: str) -> str:
        return (f'<div style="position: absolute; top: 50%; width: 60mm; transform: {transform}">'
                f'<p style="margin: 0; height: 30mm">tall</p></div>')

    # the piece's box is 20–60 mm down the page (its 10 mm under the page's 10 mm margin)
    assert extent(centred("translateY(-50%)")) == (20.0, 60.0)  # the text drawn 25–55 mm
    assert extent(centred("translate(0, -15mm)")) == (20.0, 60.0)
    assert extent(centred("translateY(-50%) rotate(1deg)"))[1] < 61  # turned a little about its centre
    turned = ('<div style="height: 10mm; transform: rotate(180deg)"><div style="position: absolute; top: 40mm; '
              'height: 5mm; width: 5mm; background: black; transform: translateY(-30mm)"></div></div>')
    # laid out 60–65 mm down, moved up to 30–35 mm, then turned about its parent's centre (25 mm): drawn 15–20 mm
    assert extent(turned) == (15.0, 60.0)
    assert extent('<span style="transform: translateY(-30mm); font-size: 20mm; line-height: 1">x</span>')[0] == 20.0


def test_drawn_extents_count_the_pages_a_piece_runs_on_to(tmp_path):
    """Clipped text that runs past the bottom of the page is carried over to the next one, where it would be
    drawn over whatever lies at the top of that page."""
    body = (f'<div style="position: relative; height: 270mm; break-after: page">'
            f'<div id="{PIECE_ID_PREFIX}1" style="position: absolute; top: 250mm; height: 10mm; width: 40mm; '
            f'overflow: hidden"><p style="margin: 0">{"many words " * 200}</p></div></div>'
            f'<div id="{PIECE_ID_PREFIX}2">x</div>')
    extents = weasy.drawn_extents(laid_out(tmp_path, body))
    assert extents[f"{PIECE_ID_PREFIX}1"].pages >= 2 and extents[f"{PIECE_ID_PREFIX}1"].page == 0
    assert extents[f"{PIECE_ID_PREFIX}2"].pages == 1


def test_font_files_are_the_whole_fonts_a_written_document_used(tmp_path):
    import io

    import pikepdf
    from fontTools.ttLib import TTFont

    document = laid_out(tmp_path, PIECE)
    pdf = pikepdf.open(io.BytesIO(document.write_pdf()))
    files = weasy.font_files(document)
    assert files and set(files) == {str(name) for name in pdf.pages[0].Resources.Font}  # by resource name
    for data, index in files.values():
        assert len(TTFont(io.BytesIO(data), fontNumber=index).getGlyphOrder()) > 200  # whole, not a subset


def test_weasyprint_is_imported_without_fonttools_loading_uharfbuzz():
    """fontTools, imported by WeasyPrint, loads uharfbuzz whenever it is installed, only to pack GSUB and GPOS
    tables, which every subset here drops; a class set never subsets, and its warm start would wait for it."""
    code = ("import sys; from quizgen.render import weasy; weasy.imported(); "
            "print('uharfbuzz' in sys.modules, 'fontTools.ttLib.tables.otBase' in sys.modules); "
            "from weasyprint.pdf import fonts; fonts.subset.Subsetter; "  # the deferred subsetter, loaded
            "import fontTools.ttLib.tables.otBase as b; print('uharfbuzz' in sys.modules, b.have_uharfbuzz); "
            "import uharfbuzz; print('uharfbuzz' in sys.modules)")
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["False", "False", "False", "False", "True"]


def test_fonttools_subsetter_and_instancer_load_only_when_weasyprint_first_uses_them():
    """WeasyPrint imports them for fonts HarfBuzz cannot subset and for variable fonts; deferred, they cost a
    process that renders neither kind nothing, and one that does gets the real ones."""
    code = """
import sys
from quizgen.render import weasy
weasy.imported()
from weasyprint.pdf import fonts
print("fontTools.subset" in sys.modules, "fontTools.varLib.instancer" in sys.modules)
import fontTools.subset
print(fonts.subset.Subsetter is fontTools.subset.Subsetter)
from fontTools.ttLib import TTFont
try:
    fonts.instantiateVariableFont(TTFont(sys.argv[1]), {})
except ValueError as exc:
    print("instancer:", exc)
print("fontTools.varLib.instancer" in sys.modules)
"""
    font = next(Path("/usr/share/fonts").rglob("DejaVuSans.ttf"), None)
    if font is None:
        pytest.skip("no DejaVu Sans to hand the instancer")
    ran = subprocess.run([sys.executable, "-c", code, str(font)], capture_output=True, text=True, check=True)
    lines = ran.stdout.splitlines()
    assert lines[:2] == ["False False", "True"]
    assert lines[2].startswith("instancer:") and "fvar" in lines[2]  # the real function's refusal of a static font
    assert lines[3] == "True"
