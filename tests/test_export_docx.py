"""Word export: every .docx converts in headless LibreOffice to the same questions, order and keys as the PDF
worksheet and key of its version; real Word structures; right-to-left names; layout overrides; the same bytes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from helpers import make_sample_set, science_pack_files, write_pack
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree
from PIL import Image

from quizgen.cli import main
from quizgen.load.pack import load_pack
from quizgen.export import docx as word
from quizgen.generate import generate_question_set
from quizgen.model import BLANK, QUESTION_TYPES, Question
from quizgen.render.layouts import Layouts

LAYOUTS = Path(__file__).resolve().parent.parent / "templates" / "layouts"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None,
                                       reason="LibreOffice (libreoffice-writer-nogui) or poppler-utils missing")


def opened(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def replaced(data: bytes, old: str, new: str) -> bytes:
    """The .docx with `old` replaced by `new` in whichever XML part holds it (one part must)."""
    parts = entries(data)
    holders = [name for name, xml in parts.items() if name.endswith(".xml") and old.encode() in xml]
    assert len(holders) == 1, holders
    parts[holders[0]] = parts[holders[0]].replace(old.encode(), new.encode())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def header_texts(document: docx.document.Document) -> list[str]:
    return [s.header.paragraphs[0].text for s in document.sections]


# ---- converted by LibreOffice, read back as text -----------------------------------------------------------


UNSEEN = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def flat(text: str) -> str:
    """Text as compared: bidi marks dropped, every run of underscores one, whitespace one space."""
    return " ".join(re.sub("_+", "_", UNSEEN.sub("", text)).split())


def pdf_text(path: Path) -> str:
    return flat(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout)


def positions(text: str, needles: list[str]) -> list[int]:
    """Where each needle is found, each after the one before (-1: not found there)."""
    found, start = [], 0
    for needle in needles:
        at = text.find(needle, start)
        found.append(at)
        start = at + len(needle) if at >= 0 else start
    return found


def prompt_needle(question: Question) -> str:
    return flat(question.prompt.replace(BLANK, "_"))[:70]


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> tuple[Path, object]:
    """A two-version build of the chemistry pack, its .docx files converted to PDF by LibreOffice."""
    root = tmp_path_factory.mktemp("word")
    pack = write_pack(root / "chemistry", science_pack_files())
    out = root / "out"
    assert main(["build", str(pack), "--out", str(out), "--versions", "2", "--count", "12", "--quiet",
                 "--only", "worksheets,keys,exports"]) == 0
    folder = out / load_pack(pack).id
    if SOFFICE:
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{root / 'profile'}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(root / "from-word"),
                        *sorted(str(p) for p in folder.glob("*.docx"))],
                       check=True, capture_output=True, timeout=300)
    question_set = generate_question_set(load_pack(pack), count=12, seed=1, versions=2)
    return folder, root / "from-word", question_set


@needs_libreoffice
def test_every_docx_converts_in_libreoffice(converted):
    folder, from_word, _ = converted
    made = sorted(p.stem for p in folder.glob("*.docx"))
    assert made == ["answer-key-A", "answer-key-B", "flashcards", "worksheet-A", "worksheet-B"]
    assert sorted(p.stem for p in from_word.glob("*.pdf")) == made


@needs_libreoffice
@pytest.mark.parametrize("code", ["A", "B"])
def test_a_word_worksheet_asks_what_the_pdf_worksheet_asks_in_the_same_order(converted, code):
    folder, from_word, question_set = converted
    version = next(v for v in question_set.versions if v.code == code)
    needles = [prompt_needle(q) for q in version.questions]
    types = {q.type for q in version.questions}
    assert types == set(QUESTION_TYPES)  # every type, each compared with the PDF
    word_text, pdf = pdf_text(from_word / f"worksheet-{code}.pdf"), pdf_text(folder / f"worksheet-{code}.pdf")
    assert -1 not in positions(word_text, needles), [n for n, at in zip(needles, positions(word_text, needles))
                                                     if at < 0]
    assert -1 not in positions(pdf, needles)
    numbered = [f"{n}. {needle}" for n, needle in enumerate(needles, 1)]
    assert -1 not in positions(word_text, numbered) and -1 not in positions(pdf, numbered)
    for question in version.questions:  # every option, item and choice shown, in the order the PDF shows them
        shown = [flat(o.text) for o in question.options] + [flat(i) for i in question.items]
        shown += [flat(c) for c in question.choices]
        start = word_text.find(prompt_needle(question))
        pdf_start = pdf.find(prompt_needle(question))
        assert -1 not in positions(word_text[start:], shown) and -1 not in positions(pdf[pdf_start:], shown)
    assert f"Version {code}" in word_text


@needs_libreoffice
@pytest.mark.parametrize("code", ["A", "B"])
def test_a_word_key_gives_the_pdf_keys_answers_and_evidence(converted, code):
    folder, from_word, question_set = converted
    version = next(v for v in question_set.versions if v.code == code)
    word_text, pdf = pdf_text(from_word / f"answer-key-{code}.pdf"), pdf_text(folder / f"answer-key-{code}.pdf")
    answers = [flat(word.answer_line(q)) for q in version.questions]
    sources = [flat(word.source_line(q)) for q in version.questions]
    for text in (word_text, pdf):
        assert -1 not in positions(text, answers)
        assert -1 not in positions(text, [s[:80] for s in sources])
    evidence = [c.evidence for q in version.questions for c in q.citations if c.evidence]
    assert evidence and all(flat(e)[:50] in word_text for e in evidence)
    grid = docx.Document(str(folder / f"answer-key-{code}.docx")).tables[0]
    rows = len(grid.rows)
    keyed = {int(grid.cell(r, 2 * c).text): grid.cell(r, 2 * c + 1).text for r in range(rows) for c in range(4)
             if grid.cell(r, 2 * c).text}
    assert keyed == {n: q.key_text() for n, q in enumerate(version.questions, 1)}  # down, then across, as the PDF
    assert f"Answer key · Version {code}" in word_text


@needs_libreoffice
def test_the_study_cards_are_a_two_column_table_of_every_card(converted):
    folder, from_word, question_set = converted
    document = docx.Document(str(folder / "flashcards.docx"))
    (table,) = document.tables
    assert len(table.columns) == 2 and len(table.rows) == len(question_set.study_deck()) + 1
    text = pdf_text(from_word / "flashcards.pdf")
    assert "Question Answer" in text


# ---- Word structures -------------------------------------------------------------------------------------------


def test_questions_are_a_numbered_list_with_boxes_tables_and_a_version_header():
    question_set = make_sample_set()
    files = word.build_files(question_set)
    document = opened(files["worksheet-A.docx"])
    numbering = document.part.numbering_part.element
    numbered = [p for p in document.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert [p.text for p in numbered] == [q.prompt.replace(BLANK, word.CLOZE_LINE) for q in question_set.questions]
    (num_id,) = {p._p.pPr.numPr.numId.val for p in numbered}
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == str(num_id))
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(a for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id)
    assert abstract.find(f"{qn('w:lvl')}/{qn('w:numFmt')}").get(qn("w:val")) == "decimal"
    options = [p.text for p in document.paragraphs if p.text.startswith("☐")]
    assert options[:4] == ["☐ A\tRhine", "☐ B\tDanube", "☐ C\tElbe & Oder", "☐ D\tSeine {Paris}"]
    matching = next(t for t in document.tables if t.cell(0, 0).text.startswith("1. "))
    assert [[c.text for c in row.cells] for row in matching.rows] == [["1. Rhine", "☐", "A. Germany"],
                                                                       ["2. Danube", "☐", "B. Switzerland"]]
    assert header_texts(document) == ["Rivers & Lakes of Europe\tVersion A"]


def test_export_puts_each_version_in_its_own_section_with_its_header(tmp_path):
    target = tmp_path / "sheets.docx"
    word.write(make_sample_set(), target)
    document = docx.Document(str(target))
    assert header_texts(document) == ["Rivers & Lakes of Europe\tVersion A", "Rivers & Lakes of Europe\tVersion B",
                                      "Rivers & Lakes of Europe\tAnswer key · Version A",
                                      "Rivers & Lakes of Europe\tAnswer key · Version B"]
    assert all(s.start_type == docx.enum.section.WD_SECTION.NEW_PAGE for s in document.sections)
    numbered = [p._p.pPr.numPr.numId.val for p in document.paragraphs if p._p.pPr is not None
                and p._p.pPr.numPr is not None]
    assert len(set(numbered)) == 4 and len(numbered) == 4 * 7  # each version's list starts again at 1


def test_a_picture_in_a_layouts_header_is_in_every_versions_header(tmp_path):
    layouts = tmp_path / "crest-layouts"
    layouts.mkdir()
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(picture, format="PNG")
    for name in ("worksheet.docx", "answer-key.docx"):
        layout = docx.Document(str(LAYOUTS / name))
        layout.sections[0].header.paragraphs[0].add_run().add_picture(io.BytesIO(picture.getvalue()), width=Mm(10))
        layout.save(str(layouts / name))
    target = tmp_path / "sheets.docx"
    word.write(make_sample_set(), target, Layouts.with_user_folders([layouts]))
    document = docx.Document(str(target))
    assert len(document.sections) == 4
    for section in document.sections:
        part = section.header.part
        (embedded,) = part.element.xpath(".//a:blip/@r:embed")
        assert part.related_parts[embedded].blob.startswith(b"\x89PNG")
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
    assert len(names) == len(set(names)) and [n for n in names if n.startswith("word/media/")] == [
        "word/media/image1.png"]  # the same picture, stored once


def test_the_key_carries_each_answer_with_its_source_and_quotation():
    document = opened(word.build_files(make_sample_set())["answer-key-B.docx"])
    texts = [p.text for p in document.paragraphs]
    number = texts.index("How many kilometres long is the Rhine?")
    assert texts[number + 1:number + 4] == [
        "Answer: 1,230 km (accept 1,107 to 1,353)", "About 1,230 km.",
        "Source: Test Press, “Notes on rivers & lakes”: “about 1,230 km long”"]
    grid = document.tables[0]
    assert [grid.cell(r, 1).text for r in range(2)] == ["1,230", "2 3 1"]  # version B is in reverse order


def test_arabic_runs_are_right_to_left_and_an_arabic_card_reads_right_to_left():
    files = word.build_files(make_sample_set())
    worksheet = opened(files["worksheet-A.docx"])
    prompt = next(p for p in worksheet.paragraphs if "Arabic" in p.text)
    assert [(r.text, r.font.rtl) for r in prompt.runs] == [("Which city is called ", None), ("دير الزور", True),
                                                           (" in Arabic? (use “quotes” & 'apostrophes')", None)]
    assert prompt._p.pPr.find(qn("w:bidi")) is None  # it starts in English
    cards = opened(files["flashcards.docx"])
    front = next(p for c in cards.tables[0].columns[0].cells for p in c.paragraphs if p.text == "دير الزور")
    assert front._p.pPr.find(qn("w:bidi")) is not None and front.runs[0].font.rtl


def test_a_card_row_never_splits_across_pages_and_the_heading_row_repeats():
    question_set = make_sample_set()
    (table,) = opened(word.build_files(question_set)["flashcards.docx"]).tables
    rows = table._tbl.tr_lst
    assert len(rows) == len(question_set.study_deck()) + 1
    assert all(row.trPr.find(qn("w:cantSplit")) is not None for row in rows)
    assert [row.trPr.find(qn("w:tblHeader")) is not None for row in rows[:2]] == [True, False]
    assert [c.text for c in table.rows[1].cells] == ["rivers\nWhich river rises in the Black Forest?",
                                                     "Danube\nThe Danube rises in the Black Forest.\n"
                                                     "Test Press, “Notes on rivers & lakes”: “about 1,230 km long”"]


def test_the_same_set_gives_the_same_bytes_with_fixed_times():
    first, second = word.build_files(make_sample_set()), word.build_files(make_sample_set())
    assert first == second
    core = entries(first["worksheet-A.docx"])["docProps/core.xml"].decode()
    assert "2024-01-01T00:00:00Z" in core
    with zipfile.ZipFile(io.BytesIO(first["worksheet-A.docx"])) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    for data in first.values():  # every part well-formed, each with one declaration
        for name, xml in entries(data).items():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(xml)
                assert xml.count(b"<?xml") == 1, name


def test_a_read_layout_is_kept_while_a_build_keeps_its_compiled_layouts_and_gives_the_same_bytes(tmp_path,
                                                                                                 monkeypatch):
    from quizgen.export import docx_layout
    from quizgen.render.layouts import compiled_layouts_kept_in

    question_set, kept = make_sample_set(), tmp_path / "compiled"
    expected = word.build_files(question_set)
    with compiled_layouts_kept_in(kept):
        assert word.build_files(question_set) == expected
    entries_kept = sorted(kept.glob("docx-*.parts"))
    assert len(entries_kept) == 3  # the worksheet's, the key's and the cards' layouts
    assert all(p.stat().st_size < 64_000 for p in entries_kept)  # what the libraries read, not the zip's files
    read = docx_layout.read_parts

    def not_again(path, data):
        raise AssertionError(f"{path} was read again")

    with monkeypatch.context() as patched, compiled_layouts_kept_in(kept):
        patched.setattr(docx_layout, "read_parts", not_again)
        assert word.build_files(question_set) == expected
    entries_kept[0].write_bytes(b"torn")  # a damaged entry is only a miss: read again and kept again
    with monkeypatch.context() as patched, compiled_layouts_kept_in(kept):
        again = []
        patched.setattr(docx_layout, "read_parts", lambda path, data: again.append(path) or read(path, data))
        assert word.build_files(question_set) == expected
        assert len(again) == 1
    assert sorted(kept.glob("docx-*.parts")) == entries_kept and entries_kept[0].read_bytes() != b"torn"
    elsewhere = tmp_path / "small"
    with monkeypatch.context() as patched, compiled_layouts_kept_in(elsewhere):
        patched.setattr(docx_layout, "KEPT_PARTS_BYTES", 1000)  # parts larger than this are never kept
        assert word.build_files(question_set) == expected
    assert list(elsewhere.glob("docx-*.parts")) == []


# ---- layouts from a --layouts folder -------------------------------------------------------------------------------


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "chemistry", science_pack_files())


def build_word(pack: Path, out: Path, layouts: Path, capsys) -> tuple[int, str]:
    code = main(["build", str(pack), "--out", str(out), "--quiet", "--only", "exports", "--layouts", str(layouts),
                 "--count", "6"])
    return code, capsys.readouterr().err


def test_a_layout_docx_in_the_layouts_folder_changes_the_header(pack, tmp_path, capsys):
    layouts = tmp_path / "my-layouts"
    layouts.mkdir()
    original = (LAYOUTS / "worksheet.docx").read_bytes()
    (layouts / "worksheet.docx").write_bytes(replaced(original, "<w:t>Version {{ version }}</w:t>",
                                                      "<w:t>Form 3B · Version {{ version|lower }}</w:t>"))
    code, err = build_word(pack, tmp_path / "out", layouts, capsys)
    assert code == 0, err
    folder = tmp_path / "out" / "chemistry"
    assert header_texts(docx.Document(str(folder / "worksheet-A.docx"))) == ["Discoveries in chemistry\tForm 3B · Version a"]
    assert header_texts(docx.Document(str(folder / "answer-key-A.docx")))[0].endswith("\tAnswer key · Version A")


def without_numbering(data: bytes) -> bytes:
    """The layout as a word processor saves a document without lists: no numbering part, no mention of one."""
    parts = entries(data)
    del parts["word/numbering.xml"]
    parts["[Content_Types].xml"] = re.sub(rb'<Override PartName="/word/numbering.xml"[^>]*/>', b"",
                                          parts["[Content_Types].xml"])
    parts["word/_rels/document.xml.rels"] = re.sub(rb'<Relationship [^>]*Target="numbering.xml"/>', b"",
                                                   parts["word/_rels/document.xml.rels"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_layout_without_lists_still_gets_numbered_questions(pack, tmp_path, capsys):
    layouts = tmp_path / "plain-layouts"
    layouts.mkdir()
    (layouts / "answer-key.docx").write_bytes(without_numbering((LAYOUTS / "answer-key.docx").read_bytes()))
    assert "word/numbering.xml" not in entries((layouts / "answer-key.docx").read_bytes())
    code, err = build_word(pack, tmp_path / "out", layouts, capsys)
    assert code == 0, err
    document = docx.Document(str(tmp_path / "out" / "chemistry" / "answer-key-A.docx"))
    numbered = [p for p in document.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert len(numbered) == 6
    (num_id,) = {p._p.pPr.numPr.numId.val for p in numbered}
    nums = document.part.numbering_part.element.findall(qn("w:num"))
    assert [n.get(qn("w:numId")) for n in nums] == [str(num_id)]


@pytest.mark.parametrize("broken, expected", [
    (lambda data: replaced(data, "<w:t>Version {{ version }}</w:t>", "<w:t>Version {{ version </w:t>"),
     "layout: template syntax error: "),
    (lambda data: replaced(data, "<w:t>Version {{ version }}</w:t>", "<w:t>Version {{ versoin }}</w:t>"),
     "layout: UndefinedError: 'versoin' is undefined"),
    (lambda data: b"<html>not a Word document</html>", "layout: is not a Word document"),
])
def test_a_broken_layout_docx_fails_at_its_file_on_one_line(pack, tmp_path, capsys, broken, expected):
    layouts = tmp_path / "bad-layouts"
    layouts.mkdir()
    (layouts / "worksheet.docx").write_bytes(broken((LAYOUTS / "worksheet.docx").read_bytes()))
    code, err = build_word(pack, tmp_path / "out", layouts, capsys)
    assert code == 1
    (line,) = err.strip().splitlines()
    assert line.startswith(f"{layouts / 'worksheet.docx'}") or line.startswith("bad-layouts/worksheet.docx"), line
    assert expected in line
    assert not (tmp_path / "out" / "chemistry").exists()


def test_export_respects_types_and_versions(pack, tmp_path, capsys):
    target = tmp_path / "chemistry.docx"
    assert main(["export", str(pack), "--format", "docx", "--versions", "2", "--types", "numeric", "ordering",
                 "--count", "4", "-o", str(target), "--quiet"]) == 0
    document = docx.Document(str(target))
    assert len(document.sections) == 4
    question_set = generate_question_set(load_pack(pack), types=["numeric", "ordering"], count=4, seed=1, versions=2)
    numbered = [p.text for p in document.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    expected = [q.prompt for kind in ("worksheet", "key") for v in question_set.versions for q in v.questions]
    assert numbered == expected and {q.type for q in question_set.questions} == {"numeric", "ordering"}
    capsys.readouterr()


# ---- what each file of a build reads: a file whose reads are unchanged is taken from the build's cache ----------


def _edited(question: Question, field: str) -> Question:
    """The question with one field changed in a way every document can still print."""
    import dataclasses

    value = getattr(question, field)
    if field == "citations":
        return dataclasses.replace(question, citations=tuple(dataclasses.replace(c, text=c.text + " (ed.)", evidence="new")
                                                             for c in value))
    if field == "options":
        return dataclasses.replace(question, options=tuple(dataclasses.replace(o, text=o.text + " (ed.)") for o in value))
    if field == "pairs":
        return dataclasses.replace(question, pairs=tuple(dataclasses.replace(p, left=p.left + " (ed.)") for p in value))
    if field == "numeric":
        return dataclasses.replace(question, numeric=value and dataclasses.replace(value, unit="furlongs", high=1e9))
    if isinstance(value, bool) or field == "type":
        return question
    if isinstance(value, str):
        return dataclasses.replace(question, **{field: value + " (ed.)"})
    if isinstance(value, int):
        return dataclasses.replace(question, **{field: value + 1})
    return dataclasses.replace(question, **{field: tuple(reversed(value))})  # the same items in another order


@pytest.mark.parametrize("field", [f.name for f in __import__("dataclasses").fields(Question)])
def test_a_build_file_whose_bytes_a_question_field_changes_reads_that_field(field):
    import dataclasses

    question_set = make_sample_set(versions=2)
    question_set = dataclasses.replace(question_set, deck=question_set.questions[:4])
    changed = dataclasses.replace(
        question_set,
        questions=tuple(_edited(q, field) for q in question_set.questions),
        versions=tuple(dataclasses.replace(v, questions=tuple(_edited(q, field) for q in v.questions))
                       for v in question_set.versions),
        deck=tuple(_edited(q, field) for q in question_set.deck))
    before, after = word.build_files(question_set), word.build_files(changed)
    reads_before = word.build_file_reads(question_set)
    reads_after = word.build_file_reads(changed)
    assert set(before) == set(reads_before)
    for name in before:
        if before[name] != after[name]:
            assert reads_before[name] != reads_after[name], f"{name} prints the {field}, but does not read it"
    if field in ("explanation", "citations"):
        assert before["worksheet-A.docx"] == after["worksheet-A.docx"]
        assert reads_before["worksheet-A.docx"] == reads_after["worksheet-A.docx"]


def test_only_the_wanted_files_of_a_build_are_made():
    question_set = make_sample_set(versions=2)
    every = word.build_files(question_set)
    some = word.build_files(question_set, wanted={"answer-key-B.docx", word.FLASHCARDS})
    assert some == {name: every[name] for name in ("answer-key-B.docx", word.FLASHCARDS)}
