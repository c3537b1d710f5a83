"""The fonts of composed files: what a laid-out document says of each glyph, read so that it does not depend on
which other pieces the document held."""

from __future__ import annotations

import io
import shutil
import subprocess

import pikepdf
import pytest

from quizgen.render import weasy
from quizgen.render.font_subsets import glyph_tables, with_shared_glyphs_read_alike

def _installed(family: str) -> bool:
    return bool(shutil.which("fc-list")) and family in subprocess.run(["fc-list", ":", "family"], capture_output=True,
                                                                      text=True).stdout


pytestmark = [pytest.mark.slow, pytest.mark.skipif(not _installed("Noto Naskh Arabic"),
                                                   reason="needs the Noto Naskh Arabic font (fonts-noto-core)")]
ARABIC = "<p lang='ar' dir='rtl' style=\"font-family: 'Noto Naskh Arabic'\">{}</p>"


def tables_of(*paragraphs: str) -> dict[str, dict[int, tuple[float, str]]]:
    weasyprint = weasy.imported()
    document = weasyprint.HTML(string="".join(ARABIC.format(p) for p in paragraphs)).render()
    data = document.write_pdf()
    files = weasy.font_files(document)
    return with_shared_glyphs_read_alike(glyph_tables(pikepdf.open(io.BytesIO(data))), files)


def test_a_glyph_two_characters_share_reads_the_same_whichever_came_first():
    """Noto Naskh Arabic draws a space and a no-break space with one glyph: WeasyPrint notes the text of the
    first one drawn, so two pieces laid out in either order would give two ToUnicode maps."""
    space, no_break = "نهر دجلة", "نهر\u00a0دجلة"
    first, second = tables_of(space, no_break), tables_of(no_break, space)
    assert first == second
    assert any(text == " " for table in first.values() for _, text in table.values())
    assert not any(text == "\u00a0" for table in first.values() for _, text in table.values())
