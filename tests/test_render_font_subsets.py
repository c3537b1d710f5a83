"""The fonts of composed files: what a laid-out document says of each glyph, read so that it does not depend on
which other pieces the document held."""

from __future__ import annotations

import io
import shutil
import subprocess

import pikepdf
import pytest

from quizgen.render import weasy
from quizgen.render.font_subsets import glyph_tables, stored_font, subset_font_file, used_glyphs, with_shared_glyphs_read_alike

def _installed(family: str) -> bool:
    return bool(shutil.which("fc-list")) and family in subprocess.run(["fc-list", ":", "family"], capture_output=True,
                                                                      text=True).stdout


pytestmark = pytest.mark.slow
needs_arabic = pytest.mark.skipif(not _installed("Noto Naskh Arabic"),
                                  reason="needs the Noto Naskh Arabic font (fonts-noto-core)")
ARABIC = "<p lang='ar' dir='rtl' style=\"font-family: 'Noto Naskh Arabic'\">{}</p>"


def tables_of(*paragraphs: str) -> dict[str, dict[int, tuple[float, str]]]:
    weasyprint = weasy.imported()
    document = weasyprint.HTML(string="".join(ARABIC.format(p) for p in paragraphs)).render()
    data = document.write_pdf()
    files = weasy.font_files(document)
    return with_shared_glyphs_read_alike(glyph_tables(pikepdf.open(io.BytesIO(data))), files)


@needs_arabic
def test_a_glyph_two_characters_share_reads_the_same_whichever_came_first():
    """Noto Naskh Arabic draws a space and a no-break space with one glyph: WeasyPrint notes the text of the
    first one drawn, so two pieces laid out in either order would give two ToUnicode maps."""
    space, no_break = "نهر دجلة", "نهر\u00a0دجلة"
    first, second = tables_of(space, no_break), tables_of(no_break, space)
    assert first == second
    assert any(text == " " for table in first.values() for _, text in table.values())
    assert not any(text == "\u00a0" for table in first.values() for _, text in table.values())


def test_a_subset_draws_only_its_glyphs_keeps_their_ids_and_ends_at_the_last_one():
    from fontTools.ttLib import TTFont

    document = weasy.imported().HTML(string="<p style='font-family: sans-serif'>Deir ez-Zor, 2014</p>").render()
    pdf = pikepdf.open(io.BytesIO(document.write_pdf()))
    (name, font), = pdf.pages[0].Resources.Font.items()
    whole = stored_font(str(name), font, *weasy.font_files(document)[str(name)])
    drawn = {gid for used in used_glyphs(pikepdf.parse_content_stream(pdf.pages[0])).values() for gid in used}
    subset = subset_font_file(whole, drawn)
    assert subset == subset_font_file(whole, drawn)  # the same glyphs, the same bytes
    made, original = TTFont(io.BytesIO(subset)), TTFont(io.BytesIO(whole.data), fontNumber=whole.index)
    assert made["maxp"].numGlyphs == max(drawn) + 1 < original["maxp"].numGlyphs
    assert {"GSUB", "GPOS"}.isdisjoint(made.keys()) and {"glyf", "cmap", "hmtx"} <= set(made.keys())
    names, kept = made.getGlyphOrder(), original.getGlyphOrder()
    for gid in drawn:  # each drawn glyph keeps its id, outline and width (a space has no outline)
        assert made["glyf"][names[gid]].numberOfContours == original["glyf"][kept[gid]].numberOfContours
        assert made["hmtx"][names[gid]][0] == original["hmtx"][kept[gid]][0]
    assert sum(made["glyf"][names[gid]].numberOfContours != 0 for gid in drawn) >= len(drawn) - 1
    empty = [gid for gid in range(1, max(drawn)) if gid not in drawn]
    assert empty and all(made["glyf"][names[gid]].numberOfContours == 0 for gid in empty)


def test_a_font_harfbuzz_cannot_read_stops_composing_rather_than_the_build():
    from quizgen.render.compose import NotComposable
    from quizgen.render.piece_store import StoredFont

    unreadable = StoredFont("/F1", "ABCDEF+Broken", "Broken", 4, 0.0, 900.0, -200.0, 80.0, 80.0, 0, b"not a font" * 50)
    with pytest.raises(NotComposable, match="HarfBuzz cannot subset the font ABCDEF"):
        subset_font_file(unreadable, {1, 2, 3})
