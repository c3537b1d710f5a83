"""Card imposition: the geometry itself, and the same geometry read back from real flashcard PDFs."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from helpers import make_sample_set
from quizgen.errors import QuizgenError
from quizgen.model import QuestionSet
from quizgen.model import Question
from quizgen.render import imposition
from quizgen.render.imposition import CardSize, Grid, Offset
from quizgen.sheets.paper import PAPERS, Box
from quizgen.render.flashcards import (card_id, card_settings, duplex_sheets, flashcards_document,
                                       flashcards_for, note_box, short_citation)
from quizgen.render.layouts import Layouts
from quizgen.render.pdf import render_pdfs

A4, LETTER = PAPERS["a4"], PAPERS["letter"]
CARD_2X4 = CardSize(90, 62)  # templates/layouts/cards.yaml
CARD_3X3 = CardSize(63, 85)
MM_PER_PT = 25.4 / 72
TOLERANCE = 1.0  # mm, as a printed card would forgive


def eleven_card_set() -> QuestionSet:
    """Eleven questions: two sheets for both grids, the second one partly empty."""
    base = make_sample_set(versions=1)
    extra = tuple(dataclasses.replace(q, id=f"x{n}-{q.id}"[:12], front=f"{q.front} (again {n})")
                  for n, q in enumerate(base.questions[:4], 1))
    return dataclasses.replace(base, questions=base.questions + extra)


# ---- pure geometry ------------------------------------------------------------------------


def test_a4_2x4_grid_is_centred_with_room_for_cut_marks():
    boxes = imposition.card_positions(A4, Grid(2, 4), CARD_2X4)
    assert boxes[0] == Box(15.0, 24.5, 90, 62)  # (210 - 180) / 2, (297 - 248) / 2
    assert boxes[1] == Box(105.0, 24.5, 90, 62)
    assert boxes[-1] == Box(105.0, 210.5, 90, 62)
    assert len(boxes) == 8
    assert min(b.x for b in boxes) == pytest.approx(A4.width - max(b.right for b in boxes))
    assert min(b.y for b in boxes) >= imposition.MIN_MARGIN


def test_long_edge_mirrors_x_about_the_vertical_centre_line():
    fronts = imposition.card_positions(A4, Grid(2, 4), CARD_2X4)
    backs = imposition.mirror_back_positions(A4, fronts, "long")
    assert backs[0] == Box(105.0, 24.5, 90, 62)  # the top-left front is behind the top-right back
    assert backs[1] == Box(15.0, 24.5, 90, 62)
    for front, back in zip(fronts, backs):
        assert back.x == pytest.approx(210 - front.x - 90) and back.y == front.y


def test_short_edge_mirrors_y_about_the_horizontal_centre_line():
    fronts = imposition.card_positions(LETTER, Grid(3, 3), CARD_3X3)
    backs = imposition.mirror_back_positions(LETTER, fronts, "short")
    for front, back in zip(fronts, backs):
        assert back.x == front.x and back.y == pytest.approx(279.4 - front.y - 85)
    assert backs[0].y == pytest.approx(fronts[6].y)  # the top row's backs are on the bottom row


@given(st.sampled_from(["a4", "letter"]), st.sampled_from(["long", "short"]),
       st.floats(0, 150), st.floats(0, 200), st.floats(10, 60), st.floats(10, 80))
def test_mirroring_twice_is_the_identity(paper, flip, x, y, width, height):
    box = Box(x, y, width, height)
    twice = imposition.mirror_box(PAPERS[paper], imposition.mirror_box(PAPERS[paper], box, flip), flip)
    assert twice.x == pytest.approx(box.x, abs=1e-9) and twice.y == pytest.approx(box.y, abs=1e-9)


def test_offset_moves_boxes_by_exactly_the_offset():
    fronts = imposition.card_positions(A4, Grid(2, 4), CARD_2X4)
    moved = imposition.shifted(fronts, Offset(1.5, -0.5))
    assert [(m.x - f.x, m.y - f.y) for f, m in zip(fronts, moved)] == [(1.5, -0.5)] * 8


def test_cut_marks_sit_outside_every_card_and_in_line_with_every_edge():
    fronts = imposition.card_positions(A4, Grid(3, 3), CARD_3X3)
    marks = imposition.cut_marks(fronts)
    for m in marks:
        for b in fronts:
            inside_x = b.x < (m.x1 + m.x2) / 2 < b.right
            inside_y = b.y < (m.y1 + m.y2) / 2 < b.bottom
            assert not (inside_x and inside_y), f"{m} crosses {b}"
    vertical_xs = {round(m.x1, 3) for m in marks if m.x1 == m.x2}
    horizontal_ys = {round(m.y1, 3) for m in marks if m.y1 == m.y2}
    assert vertical_xs == {round(v, 3) for b in fronts for v in (b.x, b.right)}
    assert horizontal_ys == {round(v, 3) for b in fronts for v in (b.y, b.bottom)}
    assert all(0 <= v <= A4.width for m in marks for v in (m.x1, m.x2))


def test_fold_mode_puts_backs_mirrored_across_the_fold():
    fronts, backs = imposition.fold_positions(A4, 4, CARD_2X4)
    for front, back in zip(fronts, backs):
        assert front.right == pytest.approx(A4.width / 2)
        assert back.x == pytest.approx(A4.width - front.right) and back.y == front.y


def test_grids_that_do_not_fit_are_explained():
    assert imposition.grid_fit_problem(A4, Grid(2, 4), CARD_2X4) is None
    assert imposition.grid_fit_problem(LETTER, Grid(3, 3), CARD_3X3) is None
    problem = imposition.grid_fit_problem(A4, Grid(2, 5), CARD_2X4)
    assert problem == "2x5 cards of 90×62 mm are 310 mm high; a4 leaves 283 mm once cut marks have room"
    assert "fold mode needs cards at most" in imposition.fold_fit_problem(A4, 4, CardSize(100, 62))


@pytest.mark.parametrize("text, expected", [("2x4", Grid(2, 4)), ("3X3", Grid(3, 3)), (" 1x2 ", Grid(1, 2))])
def test_parse_grid(text, expected):
    assert imposition.parse_grid(text) == expected


@pytest.mark.parametrize("text", ["2by4", "0x4", "2x", "x4", "2x4x1"])
def test_parse_grid_refuses(text):
    with pytest.raises(ValueError, match="expected COLUMNSxROWS such as 2x4 or 3x3"):
        imposition.parse_grid(text)


@pytest.mark.parametrize("text, expected", [("1.5,-0.5", Offset(1.5, -0.5)), ("0,0", Offset()),
                                            (" -2 , .25 ", Offset(-2, 0.25))])
def test_parse_offset(text, expected):
    assert imposition.parse_offset(text) == expected


@pytest.mark.parametrize("text", ["1.5", "1.5;2", "a,b", "1,2,3", ""])
def test_parse_offset_refuses(text):
    with pytest.raises(ValueError, match=r"expected X,Y in millimetres such as 1.5,-0.5"):
        imposition.parse_offset(text)


def test_parse_offset_refuses_implausible_distances():
    with pytest.raises(ValueError, match="more than 20 mm"):
        imposition.parse_offset("25,0")


# ---- the same geometry, read back from the PDFs ------------------------------------------------


def id_positions(pdf: bytes, ids: set[str]) -> list[dict[str, tuple[float, float]]]:
    """Per page: card id → (x, y) in mm from the top-left corner where its text starts."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = []
    for page in reader.pages:
        height = float(page.mediabox.height)
        found: dict[str, tuple[float, float]] = {}

        def visit(text, cm, tm, font_dict, font_size, found=found, height=height):
            word = text.strip()
            if word in ids:
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                assert word not in found, f"{word} printed twice on one page"
                found[word] = (x * MM_PER_PT, (height - y) * MM_PER_PT)

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def page_size_mm(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return float(box.width) * MM_PER_PT, float(box.height) * MM_PER_PT


CASES = [(paper, flip, grid) for paper in ("a4", "letter") for flip in ("long", "short") for grid in ("2x4", "3x3")]


@pytest.fixture(scope="module")
def card_set() -> QuestionSet:
    return eleven_card_set()


@pytest.fixture(scope="module")
def rendered(card_set) -> dict[tuple, bytes]:
    """Flashcard PDFs for every paper × flip × grid, plus an offset and a fold rendering."""
    layouts = Layouts.with_user_folders()
    out = {}
    for paper, flip, grid in CASES:
        doc = flashcards_document(card_set, layouts, PAPERS[paper], imposition.parse_grid(grid), flip, Offset())
        out[(paper, flip, grid)] = render_pdfs(doc)[0].data
    doc = flashcards_document(card_set, layouts, A4, Grid(2, 4), "long", Offset(1.5, -0.75))
    out["offset"] = render_pdfs(doc)[0].data
    doc = flashcards_document(card_set, layouts, A4, Grid(2, 4), "long", Offset(), fold=True)
    out["fold"] = render_pdfs(doc)[0].data
    return out


@pytest.mark.slow
@pytest.mark.parametrize("paper, flip, grid", CASES)
def test_every_back_is_printed_behind_its_front(rendered, card_set, paper, flip, grid):
    pdf = rendered[(paper, flip, grid)]
    width, height = page_size_mm(pdf)
    assert (round(width, 1), round(height, 1)) == (PAPERS[paper].width, PAPERS[paper].height)
    size = CARD_2X4 if grid == "2x4" else CARD_3X3
    ids = {card_id(q) for q in card_set.questions}
    pages = id_positions(pdf, ids)
    per_sheet = imposition.parse_grid(grid).per_sheet
    assert len(pages) == 2 * -(-len(ids) // per_sheet)  # a front and a back page for every sheet
    fronts = imposition.card_positions(PAPERS[paper], imposition.parse_grid(grid), size)

    # where the id sits inside a card: the same for every card and on both sides
    insets = set()
    for sheet in range(len(pages) // 2):
        front_page, back_page = pages[2 * sheet], pages[2 * sheet + 1]
        chunk = [card.id for card in flashcards_for(card_set)[sheet * per_sheet:(sheet + 1) * per_sheet]]
        assert set(front_page) == set(back_page) == set(chunk)
        for slot, cid in enumerate(chunk):
            fx, fy = front_page[cid]
            box = fronts[slot]
            inset = (fx - box.x, fy - box.y)
            insets.add((round(inset[0], 1), round(inset[1], 1)))
            # the back box, written out by hand rather than through the code under test
            if flip == "long":
                back_x, back_y = width - box.x - box.width, box.y
            else:
                back_x, back_y = box.x, height - box.y - box.height
            bx, by = back_page[cid]
            assert bx - inset[0] == pytest.approx(back_x, abs=TOLERANCE), cid
            assert by - inset[1] == pytest.approx(back_y, abs=TOLERANCE), cid
    assert len(insets) == 1, f"the id moves inside the card: {insets}"
    (dx, dy), = insets
    assert 0 < dx < 10 and 0 < dy < 10


@pytest.mark.slow
def test_back_offset_moves_only_back_pages_by_exactly_the_offset(rendered, card_set):
    ids = {card_id(q) for q in card_set.questions}
    plain = id_positions(rendered[("a4", "long", "2x4")], ids)
    moved = id_positions(rendered["offset"], ids)
    for index, (before, after) in enumerate(zip(plain, moved)):
        for cid, (x, y) in before.items():
            dx, dy = after[cid][0] - x, after[cid][1] - y
            expected = (1.5, -0.75) if index % 2 else (0.0, 0.0)
            assert (dx, dy) == (pytest.approx(expected[0], abs=0.02), pytest.approx(expected[1], abs=0.02)), cid


@pytest.mark.slow
def test_fold_mode_has_front_and_back_on_one_page_mirrored_across_the_fold(rendered, card_set):
    ids = [card_id(q) for q in card_set.questions]
    reader = PdfReader(io.BytesIO(rendered["fold"]))
    assert len(reader.pages) == -(-len(ids) // 4)  # one column of four cards per page
    seen = set()
    for page_number, page in enumerate(reader.pages):
        height = float(page.mediabox.height)
        spots: dict[str, list[tuple[float, float]]] = {}

        def visit(text, cm, tm, font_dict, font_size, spots=spots, height=height):
            if text.strip() in ids:
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                spots.setdefault(text.strip(), []).append((x * MM_PER_PT, (height - y) * MM_PER_PT))

        page.extract_text(visitor_text=visit)
        for cid, places in spots.items():
            assert len(places) == 2, f"{cid} should be on both halves of page {page_number + 1}"
            (fx, fy), (bx, by) = sorted(places)
            inset = fx - (A4.width / 2 - CARD_2X4.width)
            assert bx - inset == pytest.approx(A4.width / 2, abs=TOLERANCE)  # the back starts at the fold
            assert by == pytest.approx(fy, abs=0.01)
            seen.add(cid)
    assert seen == set(ids)


@pytest.mark.slow
def test_card_sides_carry_the_question_and_its_answer(rendered, card_set):
    reader = PdfReader(io.BytesIO(rendered[("a4", "long", "2x4")]))
    front_text = " ".join(reader.pages[i].extract_text() for i in (0, 2))
    back_text = " ".join(reader.pages[i].extract_text() for i in (1, 3))
    flat = lambda text: re.sub(r"\s+", " ", text)  # noqa: E731
    for q in card_set.questions:
        if "دير" in q.front:
            continue  # Arabic comes back from the PDF in display order; checked in the worksheet tests
        assert flat(q.front.replace("_____", "")).split(" ")[0] in flat(front_text)
        if q.type == "ordering":  # the dated sequence stands for both answer and explanation
            assert flat(q.explanation) in flat(back_text)
            continue
        assert flat(q.back) in flat(back_text) or flat(q.back).replace("→", "").split()[0] in flat(back_text)
        if q.type == "matching":  # the pairs are the answer; the facts behind them stay in the key
            assert flat(q.explanation) not in flat(back_text)
        else:
            assert flat(q.explanation) in flat(back_text)
    assert "Source: Test Press, “Notes on rivers & lakes”" in flat(back_text)
    assert "Rivers & Lakes of Europe" not in flat(back_text)
    # what to match or to put in order is on the front, or the card could not be answered
    assert "Match rivers and countries 1. Rhine 2. Danube A. Germany B. Switzerland" in flat(front_text)
    assert "Order the events 1. Second 2. Third 3. First" in flat(front_text)
    assert "True or false? The Rhine is about 1,230 km long." in flat(front_text)


@pytest.mark.slow
def test_fonts_are_embedded(rendered):
    reader = PdfReader(io.BytesIO(rendered[("letter", "short", "3x3")]))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[font["/BaseFont"]] = "/FontFile2" in descriptor or "/FontFile3" in descriptor
    assert fonts and all(fonts.values()), fonts


def test_a_card_size_too_big_for_the_paper_is_a_clear_error(card_set, tmp_path):
    (tmp_path / "cards.yaml").write_text("grids:\n  2x4: {width: 100, height: 70}\n", encoding="utf-8")
    layouts = Layouts.with_user_folders([tmp_path])
    with pytest.raises(QuizgenError) as caught:
        flashcards_document(card_set, layouts, LETTER, Grid(2, 4), "long", Offset())
    assert str(caught.value).endswith("cards.yaml: grids.2x4: 2x4 cards of 100×70 mm are 280 mm high; "
                                      "letter leaves 265.4 mm once cut marks have room")


def test_a_grid_missing_from_cards_yaml_fills_the_page(card_set):
    doc = flashcards_document(card_set, Layouts.with_user_folders(), A4, Grid(1, 2), "long", Offset())
    assert "width: 194mm; height: 140.5mm" in doc.html  # (210 - 2 × 7 - 2), (297 - 2 × 7 - 2) / 2


# ---- the calibration sheet ---------------------------------------------------------------------


def test_calibration_rulers_are_centred_where_the_front_lines_land_moved_by_the_offset():
    from quizgen.render.calibration import calibration_scales

    for paper in (A4, LETTER):
        scales = calibration_scales(paper, Offset(0.5, -1.0))
        x_rulers = [s for s in scales if s.axis == "x"]
        y_rulers = [s for s in scales if s.axis == "y"]
        assert len(x_rulers) == len(y_rulers) == 2
        # the front's vertical line is at the page's centre, which both flips leave in place
        assert all(s.x == pytest.approx(paper.width / 2 + 0.5) for s in x_rulers)
        assert all(s.y == pytest.approx(paper.height / 2 - 1.0) for s in y_rulers)
        ticks = dict(x_rulers[0].ticks)
        assert ticks[0.0] == "0" and ticks[2.0] == "+2" and ticks[-6.0] == "−6" and ticks[0.5] == ""
        assert min(ticks) == -6 and max(ticks) == 6 and len(ticks) == 25


@pytest.mark.slow
@pytest.mark.parametrize("flip", ["long", "short"])
def test_calibration_sheet_is_a_duplex_pair_with_its_offset_and_flip_written_on_it(flip):
    from quizgen.render.calibration import calibration_document

    doc = calibration_document(Layouts.with_user_folders(), LETTER, flip, Offset(0.5, -1.0))
    reader = PdfReader(io.BytesIO(render_pdfs(doc)[0].data))
    assert len(reader.pages) == 2
    front, back = (re.sub(r"\s+", " ", p.extract_text()) for p in reader.pages)
    assert f"flipping on the {flip} edge" in front
    assert "--back-offset=0.5,-1.0" in back
    other = "short" if flip == "long" else "long"
    assert f"--flip {other}" in back
    # the corner square on the front and its frame on the back are mirrored for this flip
    corner = re.search(r'class="corner-frame" style="left: ([\d.]+)mm; top: ([\d.]+)mm', doc.html)
    left, top = float(corner[1]) + 2, float(corner[2]) + 2
    expected = (LETTER.width - 25 + 0.5, 15 - 1.0) if flip == "long" else (15 + 0.5, LETTER.height - 25 - 1.0)
    assert (left, top) == (pytest.approx(expected[0]), pytest.approx(expected[1]))


# ---- what a card carries ------------------------------------------------------------------------------


def with_topic(question: Question, topic: str, tags: tuple[str, ...] = ()) -> Question:
    return dataclasses.replace(question, topic=topic, tags=tags)


def test_cards_come_from_the_study_deck_grouped_by_topic_in_order_of_first_appearance():
    base = make_sample_set(versions=1)
    mc, tf, cloze, short, match, order, num = base.questions
    deck = (with_topic(mc, "sources"), with_topic(tf, "", ("lengths",)), with_topic(cloze, "sources"),
            with_topic(short, "names"), with_topic(num, "", ("lengths", "numbers")))
    question_set = dataclasses.replace(base, questions=(match, order), deck=deck)
    cards = flashcards_for(question_set)
    assert [(c.id, c.topic) for c in cards] == [("q-mc", "sources"), ("q-cloze", "sources"),
                                                 ("q-tf", "lengths"), ("q-num", "lengths"), ("q-short", "names")]
    assert [c.number for c in cards] == [1, 2, 3, 4, 5]


def test_a_card_front_shows_its_topic_and_a_row_of_tick_boxes():
    base = make_sample_set(versions=1)
    question_set = dataclasses.replace(base, questions=(with_topic(base.questions[0], "Sources of rivers"),))
    doc = flashcards_document(question_set, Layouts.with_user_folders(), A4, Grid(2, 4), "long", Offset())
    front = doc.html.split('class="card back')[0]
    assert '<span class="card-topic" dir="auto">Sources of rivers</span>' in front
    assert front.count('<span class="tick"></span>') == 5
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdfs(doc)[0].data)).pages)
    assert "SOURCES OF RIVERS" in text  # set in capitals by the stylesheet


def test_a_long_citation_loses_whole_words_of_its_title_and_keeps_publisher_and_date():
    citation = ("Hürriyet Daily News / AFP, “Al-Qaeda merges with ISIL at Syria-Iraq border town: NGO”, "
                "25 June 2014; The Daily Star (Lebanon) / AP, “Senior Al-Qaeda figure killed by ISIS”")
    short = short_citation(citation, 130)
    assert len(short) <= 130 and "…" in short and short.endswith("killed by ISIS”")
    words = set(re.findall(r"[\w-]+", citation))
    assert all(word in words for word in re.findall(r"[\w-]+", short))  # no word is cut in two
    one = short_citation("Reuters, “Islamic State seizes an oil field in eastern Syria from rival rebels”, 3 July 2014",
                         70)
    assert one == "Reuters, “Islamic State seizes an oil field in eastern…”, 3 July 2014"


@pytest.mark.parametrize("paper, grid", [("a4", "2x4"), ("a4", "3x3"), ("letter", "2x4"), ("letter", "3x3")])
def test_every_paper_and_grid_prints_the_printing_hint_inside_the_page(paper, grid):
    size = card_settings(Layouts.with_user_folders()).size_for(imposition.parse_grid(grid), PAPERS[paper])
    sheets = duplex_sheets(flashcards_for(eleven_card_set()), PAPERS[paper],
                           imposition.parse_grid(grid), size, "long", Offset())
    note = note_box(PAPERS[paper], sheets)
    assert note is not None
    assert note.bottom <= PAPERS[paper].height - 4.0  # clear of the edge a printer leaves blank
    cards = [p.box for p in sheets[0].cards]
    assert all(note.y >= b.bottom or note.bottom <= b.y for b in cards)  # never over a card
    doc = flashcards_document(eleven_card_set(), Layouts.with_user_folders(), PAPERS[paper],
                              imposition.parse_grid(grid), "long", Offset())
    reader = PdfReader(io.BytesIO(render_pdfs(doc)[0].data))
    assert "Print on both sides, flipping on the long edge; cut along the marks." in \
        re.sub(r"\s+", " ", reader.pages[0].extract_text())


def test_a_grid_whose_cards_are_too_small_for_the_text_is_refused():
    with pytest.raises(QuizgenError) as caught:
        flashcards_document(eleven_card_set(), Layouts.with_user_folders(), A4, Grid(5, 5), "long", Offset())
    assert str(caught.value) == ("command line: --cards: 5x5 gives cards of 38.8×56.2 mm on a4; the flashcard text "
                                 "needs at least 60×50 mm (min_card in cards.yaml); expected fewer columns or rows, "
                                 "such as 2x4 or 3x3")


def test_min_card_in_a_layout_folder_lets_a_smaller_layout_through(tmp_path):
    (tmp_path / "cards.yaml").write_text("min_card: {width: 30, height: 40}\n", encoding="utf-8")
    doc = flashcards_document(eleven_card_set(), Layouts.with_user_folders([tmp_path]), A4, Grid(5, 5), "long",
                              Offset())
    assert doc.html.count('class="card front') - doc.html.count('class="card front furniture') == 11


@pytest.mark.parametrize("text, expected", [
    ("gap: 31\n", ["cards.yaml:1:6: gap: 31 is not a gap in mm; expected a number from 0 to 30"]),
    ("gap: true\ngrids: [2x4]\n", ["cards.yaml:1:6: gap: True is not a gap in mm; expected a number from 0 to 30",
                                  "cards.yaml:2:8: grids: expected a mapping of COLUMNSxROWS to {width, height}"]),
    ("grids: {2x4: 5}\nmin_card: {width: 5}\n",
     ["cards.yaml:1:14: grids.2x4: 5 is not a card size; expected {width: MM, height: MM} with each from 10 to 300",
      "cards.yaml:2:11: min_card: {'width': 5} is not a card size; expected {width: MM, height: MM} with each from "
      "10 to 300"]),
])
def test_each_bad_field_of_cards_yaml_is_one_located_line(tmp_path, monkeypatch, text, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cards.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(QuizgenError) as caught:
        card_settings(Layouts.with_user_folders([tmp_path]))
    assert [str(p) for p in caught.value.problems] == expected


def test_cards_yaml_reads_decimal_sizes_and_gaps(tmp_path):
    (tmp_path / "cards.yaml").write_text("gap: 2.5\ngrids: {2X4: {width: 90.5, height: 62}}\nmin_card: {width: 40, "
                                         "height: 40}\n", encoding="utf-8")
    settings = card_settings(Layouts.with_user_folders([tmp_path]))
    assert (settings.gap, settings.sizes, settings.smallest) == (2.5, {"2x4": CardSize(90.5, 62.0)}, CardSize(40, 40))
