"""Cutting a laid-out PDF into pieces (render/pieces.py) on small PDFs made here: each piece keeps what was
drawn inside its band, in its own font, with fewer bytes, and parts split where they are asked to."""

from __future__ import annotations

import io

import pikepdf
import pytest

from quizgen.render.pieces import PX_TO_PT, Measured, cut_pieces, part_name
from quizgen.sheets.paper import Box

PAGE_HEIGHT = 200.0  # points


def pdf_with(content: bytes) -> bytes:
    """One page drawn by `content`, with Helvetica as /F1."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page = pdf.add_blank_page(page_size=(300, PAGE_HEIGHT))
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.obj.Contents = pdf.make_stream(content)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def css_y(points_from_bottom: float) -> float:
    return (PAGE_HEIGHT - points_from_bottom) / PX_TO_PT


def piece(top: float, bottom: float) -> Measured:
    band = Box(0.0, top, 400.0, bottom - top)
    return Measured(0, band, band, 0.0, 0.0, ())


TWO_LINES = (b"BT /F1 12 Tf 1 0 0 1 10 180 Tm (Who took Abu Kamal?) Tj "
             b"1 0 0 1 10 50 Tm (In which year?) Tj ET\n"
             b"1 0 0 rg 0 0 1 rg 10 100 20 10 re f\n")


def test_a_piece_keeps_what_was_drawn_in_its_band_and_names_the_fonts_it_uses():
    top, bottom = piece(0.0, css_y(150)), piece(css_y(80), css_y(0))
    streams = cut_pieces(pdf_with(TWO_LINES), {"qg-0": top, "qg-1": bottom}, {})
    assert b"(Who took Abu Kamal?)" in streams.contents["qg-0"]
    assert b"In which year" not in streams.contents["qg-0"] and b"re" not in streams.contents["qg-0"]
    assert b"(In which year?)" in streams.contents["qg-1"] and b"Abu Kamal" not in streams.contents["qg-1"]
    assert streams.fonts == {"qg-0": ("/F1",), "qg-1": ("/F1",)}
    assert set(streams.resources["/Font"]) == {"/F1"} and streams.page_heights == (PAGE_HEIGHT,)


def test_a_colour_set_and_replaced_before_anything_is_drawn_is_left_out():
    middle = piece(css_y(120), css_y(90))  # holds only the blue rectangle
    content = cut_pieces(pdf_with(TWO_LINES), {"qg-0": middle}, {}).contents["qg-0"]
    assert b"0 0 1 rg" in content and b"1 0 0 rg" not in content
    assert b"10 100 20 10 re" in content and b"Tj" not in content


def test_a_whole_page_piece_keeps_everything_and_a_split_piece_comes_in_parts_in_reading_order():
    whole = cut_pieces(pdf_with(TWO_LINES), {}, {"title": 0}).contents["title"]
    assert all(text in whole for text in (b"Abu Kamal", b"In which year", b"re"))
    page = piece(0.0, css_y(0))
    parts = cut_pieces(pdf_with(TWO_LINES), {"qg-0": page}, {}, {"qg-0": (css_y(120), css_y(90))}).contents
    assert sorted(parts) == ["qg-0", "qg-0+1", "qg-0+2"]
    assert b"Abu Kamal" in parts["qg-0"] and b"re" in parts["qg-0+1"] and b"In which year" in parts["qg-0+2"]


def test_text_arrays_lose_their_zero_adjustments_and_keep_the_others():
    content = b"BT /F1 12 Tf 1 0 0 1 10 180 Tm [(Ab) 0 (u) 0 ( Kamal) -250 (2017)] TJ ET\n"
    cut = cut_pieces(pdf_with(content), {"qg-0": piece(0.0, css_y(0))}, {}).contents["qg-0"]
    assert b"[ (Abu Kamal) -250 (2017) ] TJ" in cut


@pytest.mark.parametrize("number, name", [(0, "qg-7"), (1, "qg-7+1"), (2, "qg-7+2")])
def test_a_pieces_first_part_is_the_piece_itself(number, name):
    assert part_name("qg-7", number) == name


def test_boxes_move_and_overlap_as_placed_pieces_do():
    box = Box(10.0, 20.0, 30.0, 5.0)
    assert box.moved(5.0, -20.0) == Box(15.0, 0.0, 30.0, 5.0)
    assert box.overlaps(Box(39.0, 24.0, 10.0, 10.0))
    assert not box.overlaps(Box(40.0, 20.0, 10.0, 5.0))  # touching edges do not overlap
    assert not box.overlaps(Box(10.0, 25.0, 30.0, 5.0))


ONE_LINE = (b"BT /F1 12 Tf 1 0 0 1 10 180 Tm (Answer: ) Tj 1 0 0 1 70 180 Tm (\\(Raqqa\\), ) Tj "
            b"1 0 0 1 130 180 Tm (\\(Homs\\)) Tj 1 0 0 1 10 160 Tm (second line) Tj ET\n")


def test_a_line_cut_at_points_comes_in_parts_along_it_then_below_it():
    """A key's line is cut where its varying letters go: what follows a point on its line, then the lines below."""
    page = piece(0.0, css_y(0))
    baseline = css_y(180)
    edges = ((baseline, 60 / PX_TO_PT), (baseline, 120 / PX_TO_PT), baseline + 0.5)
    parts = cut_pieces(pdf_with(ONE_LINE), {"qg-0": page}, {}, {"qg-0": edges}).contents
    assert sorted(parts) == ["qg-0", "qg-0+1", "qg-0+2", "qg-0+3"]
    assert b"Answer" in parts["qg-0"] and b"Raqqa" not in parts["qg-0"]
    assert b"Raqqa" in parts["qg-0+1"] and b"Homs" not in parts["qg-0+1"]
    assert b"Homs" in parts["qg-0+2"] and b"second line" not in parts["qg-0+2"]
    assert b"second line" in parts["qg-0+3"] and b"Answer" not in parts["qg-0+3"]
