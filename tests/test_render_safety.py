"""Layouts are user data: they override the built-ins by file name, and may read nothing but their own folders."""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import make_sample_set
from quizgen.errors import QuizgenError, display_path
from quizgen.render.fetching import MAX_DATA_URL_BYTES, RefusedResource, resolve_resource
from quizgen.render.flashcards import card_id, flashcards_document
from quizgen.render.html import worksheet_document
from quizgen.render.imposition import Grid, Offset
from quizgen.render.layouts import BUILTIN_LAYOUTS, Layouts
from quizgen.render.pdf import render_pdfs
from quizgen.sheets.paper import PAPERS

MM_PER_PT = 25.4 / 72
A4 = PAPERS["a4"]
BUILT_IN_HEADER = (BUILTIN_LAYOUTS / "worksheet-header.html").read_text(encoding="utf-8")
PNG_1PX = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
                           "AAAABJRU5ErkJggg==")


def layout_folder(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "my-layouts"
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return folder


def render_worksheet(folder: Path | None) -> bytes:
    question_set = make_sample_set(versions=1)
    layouts = Layouts.with_user_folders([folder] if folder else [])
    return render_pdfs(worksheet_document(question_set, question_set.versions, layouts, A4))[0].data


def refusal(folder: Path) -> str:
    with pytest.raises(QuizgenError) as caught:
        render_worksheet(folder)
    return str(caught.value)


def pdf_text(pdf: bytes) -> str:
    return " ".join(re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages)


LAYOUT = f"{display_path(BUILTIN_LAYOUTS / 'worksheet.html')}: layout: "


def at_mention(folder: Path, name: str, needle: str) -> str:
    """A refusal is reported at the user's layout line that names the refused file, not at the built-in."""
    text = (folder / name).read_text(encoding="utf-8")
    index = text.index(needle)
    line, column = text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{display_path(folder / name)}:{line}:{column}: layout: "
OUTSIDE = "layouts may only read files inside the layout folders and the pack folder"
NETWORK = "layouts may not use the network; put the file in a layout folder and refer to it by name"


# ---- refusals -------------------------------------------------------------------------------------


def test_stylesheet_reading_etc_passwd_is_refused(tmp_path):
    folder = layout_folder(tmp_path, {"quizgen.css": "@import url(file:///etc/passwd);\nbody { color: black }\n"})
    assert refusal(folder) == (f"{at_mention(folder, 'quizgen.css', 'passwd')}"
                               f"refused to read 'file:///etc/passwd': {OUTSIDE}")


def test_stylesheet_background_outside_the_folders_is_refused(tmp_path):
    folder = layout_folder(tmp_path, {"worksheet.css": "body { background: url(file:///etc/passwd) }\n"})
    assert refusal(folder) == (f"{at_mention(folder, 'worksheet.css', 'passwd')}"
                               f"refused to read 'file:///etc/passwd': {OUTSIDE}")


def test_image_reading_etc_passwd_is_refused(tmp_path):
    header = BUILT_IN_HEADER.replace("</header>", '<img src="file:///etc/passwd"></header>')
    folder = layout_folder(tmp_path, {"worksheet-header.html": header})
    assert refusal(folder) == (f"{at_mention(folder, 'worksheet-header.html', 'passwd')}"
                               f"refused to read 'file:///etc/passwd': {OUTSIDE}")


def test_image_from_the_network_is_refused(tmp_path):
    header = BUILT_IN_HEADER.replace("</header>", '<img src="http://example.com/x.png"></header>')
    folder = layout_folder(tmp_path, {"worksheet-header.html": header})
    assert refusal(folder) == (f"{at_mention(folder, 'worksheet-header.html', 'x.png')}"
                               f"refused to fetch 'http://example.com/x.png': {NETWORK}")


def test_stylesheet_from_the_network_is_refused(tmp_path):
    folder = layout_folder(tmp_path, {"quizgen.css": "@import url(https://example.com/x.css);\n"})
    assert refusal(folder) == (f"{at_mention(folder, 'quizgen.css', 'x.css')}"
                               f"refused to fetch 'https://example.com/x.css': {NETWORK}")


def test_relative_path_climbing_out_of_the_layouts_is_refused(tmp_path):
    header = BUILT_IN_HEADER.replace("</header>", '<img src="../../../../../../../../etc/passwd"></header>')
    folder = layout_folder(tmp_path, {"worksheet-header.html": header})
    assert refusal(folder) == (f"{at_mention(folder, 'worksheet-header.html', 'passwd')}"
                               f"refused to read 'file:///etc/passwd': {OUTSIDE}")


def test_symlink_out_of_a_layout_folder_is_refused(tmp_path):
    folder = layout_folder(tmp_path, {"worksheet.css": "body { background: url(secret.png) }\n"})
    os.symlink("/etc/passwd", folder / "secret.png")
    # the stylesheet came from the user's folder, so its relative URL points there
    assert refusal(folder) == (f"{at_mention(folder, 'worksheet.css', 'secret.png')}"
                               "refused to read 'secret.png': it leads outside the layout folders")


def test_symlinked_template_out_of_a_layout_folder_is_refused(tmp_path):
    folder = layout_folder(tmp_path, {})
    os.symlink("/etc/passwd", folder / "worksheet-header.html")
    assert refusal(folder) == (f"{display_path(folder / 'worksheet-header.html')}: layout: refused to read layout "
                               "'worksheet-header.html': it leads outside the layout folders")


def test_missing_layout_file_is_named(tmp_path):
    folder = layout_folder(tmp_path, {"worksheet.css": "body { background: url(missing.png) }\n"})
    message = refusal(folder)
    assert message.startswith(f"{at_mention(folder, 'worksheet.css', 'missing.png')}"
                              f"layout file 'missing.png' not found in {display_path(folder)}, ")


def test_data_urls_are_allowed_up_to_a_limit():
    small = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    assert resolve_resource(small, (BUILTIN_LAYOUTS,), ()) == PNG_1PX
    big = "data:text/plain;base64," + "A" * (MAX_DATA_URL_BYTES * 2)
    with pytest.raises(RefusedResource,
                       match=r"refused a data: URL of 2,097,152 characters; expected at most 1,048,576 bytes"):
        resolve_resource(big, (BUILTIN_LAYOUTS,), ())


def test_pack_folder_files_may_be_read_and_nothing_beside_it(tmp_path):
    pack = tmp_path / "pack"
    (pack / "images").mkdir(parents=True)
    (pack / "images" / "map.png").write_bytes(PNG_1PX)
    (tmp_path / "private.txt").write_text("no", encoding="utf-8")
    assert resolve_resource((pack / "images" / "map.png").as_uri(), (BUILTIN_LAYOUTS,), (pack,)) == \
        (pack / "images" / "map.png").resolve()
    with pytest.raises(RefusedResource, match=OUTSIDE):
        resolve_resource((tmp_path / "private.txt").as_uri(), (BUILTIN_LAYOUTS,), (pack,))


def test_a_data_url_image_renders(tmp_path):
    small = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    header = BUILT_IN_HEADER.replace("</header>", f'<img src="{small}" alt="logo"></header>')
    folder = layout_folder(tmp_path, {"worksheet-header.html": header})
    pdf = render_worksheet(folder)
    images = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/XObject"]
    assert [x.get_object()["/Subtype"] for x in images.values()] == ["/Image"]


# ---- template mistakes ----------------------------------------------------------------------------


def test_undefined_name_in_a_layout_is_reported_at_its_line(tmp_path):
    folder = layout_folder(tmp_path, {"worksheet-header.html": "<header>\n<h1>{{ titel }}</h1>\n</header>\n"})
    assert refusal(folder) == (f"{display_path(folder / 'worksheet-header.html')}:2:1: layout: "
                               "UndefinedError: 'titel' is undefined")


def test_syntax_error_in_a_layout_is_reported_at_its_line(tmp_path):
    folder = layout_folder(tmp_path, {"worksheet-header.html": "<header>\n{% if %}\n</header>\n"})
    message = refusal(folder)
    assert message.startswith(f"{display_path(folder / 'worksheet-header.html')}:2:1: worksheet-header.html: "
                              "template syntax error: ")


def test_layouts_run_in_a_sandbox(tmp_path):
    folder = layout_folder(tmp_path, {"worksheet-header.html": "{{ title.__class__.__mro__[1].__subclasses__() }}"})
    assert refusal(folder) == (f"{display_path(folder / 'worksheet-header.html')}:1:1: layout: "
                               "SecurityError: access to attribute '__class__' of 'str' object is unsafe.")


def test_a_missing_layout_folder_is_reported(tmp_path):
    with pytest.raises(QuizgenError, match="layout folder not found"):
        Layouts.with_user_folders([tmp_path / "nope"])


# ---- overriding the built-ins by file name ------------------------------------------------------------


def test_user_header_replaces_the_built_in_one(tmp_path):
    header = ('<header class="sheet-head"><h1>{{ title }}</h1>'
              '<p>Form 9B · Mr Haddad · Version {{ v.code }}</p></header>\n')
    folder = layout_folder(tmp_path, {"worksheet-header.html": header})
    text = pdf_text(render_worksheet(folder))
    assert "Form 9B · Mr Haddad · Version A" in text
    assert "Answer every question" not in text
    assert "1. Which river rises in the Black Forest?" in text  # the rest of the built-in layout is kept


def test_user_stylesheet_replaces_the_built_in_one_by_name(tmp_path):
    set_ = make_sample_set(versions=1)
    plain = render_pdfs(flashcards_document(set_, Layouts.with_user_folders(), A4, Grid(2, 4), "long", Offset()))
    assert "Rivers & Lakes of Europe" in pdf_text(plain[0].data)
    css = (BUILTIN_LAYOUTS / "flashcards.css").read_text(encoding="utf-8") + "\n.card-pack { display: none }\n"
    folder = layout_folder(tmp_path, {"flashcards.css": css})
    custom = render_pdfs(flashcards_document(set_, Layouts.with_user_folders([folder]), A4, Grid(2, 4), "long",
                                             Offset()))
    assert "Rivers & Lakes of Europe" not in pdf_text(custom[0].data)


def test_user_cards_yaml_changes_the_card_size_on_the_page(tmp_path):
    folder = layout_folder(tmp_path, {"cards.yaml": "grids:\n  2x4: {width: 80, height: 50}\n"})
    set_ = make_sample_set(versions=1)
    doc = flashcards_document(set_, Layouts.with_user_folders([folder]), A4, Grid(2, 4), "long", Offset())
    reader = PdfReader(io.BytesIO(render_pdfs(doc)[0].data))
    first, second = card_id(set_.questions[0]), card_id(set_.questions[1])
    spots = {}

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip() in (first, second):
            spots[text.strip()] = (tm[4] * cm[0] + tm[5] * cm[2] + cm[4]) * MM_PER_PT

    reader.pages[0].extract_text(visitor_text=visit)
    # 2 × 80 mm centred on 210 mm: cards start at 25 mm and 105 mm (the id sits 3.2 mm in)
    assert spots[first] == pytest.approx(25 + 3.2, abs=0.3)
    assert spots[second] == pytest.approx(105 + 3.2, abs=0.3)


def test_bad_cards_yaml_is_reported_at_its_line(tmp_path):
    folder = layout_folder(tmp_path, {"cards.yaml": "grids:\n  2x4: {width: wide, height: 50}\n  two: {}\n"})
    with pytest.raises(QuizgenError) as caught:
        flashcards_document(make_sample_set(), Layouts.with_user_folders([folder]), A4, Grid(2, 4), "long", Offset())
    lines = str(caught.value).splitlines()
    path = display_path(folder / "cards.yaml")
    assert lines[0].startswith(f"{path}:2:8: grids.2x4: ") and "is not a card size" in lines[0]
    assert lines[1].startswith(f"{path}:3:3: grids.two: 'two' is not a card grid")


def documented_example_files() -> dict[str, str]:
    """The files of the example in docs/layouts.md, by the name in their first line."""
    doc = (BUILTIN_LAYOUTS.parent.parent / "docs" / "layouts.md").read_text(encoding="utf-8")
    files = {}
    for block in re.findall(r"```(?:html|yaml)\n(.*?)```", doc, flags=re.S):
        first = block.splitlines()[0]
        named = re.search(r"my-layouts/([\w.-]+)", first)
        if named:
            files[named[1]] = block
    return files


def test_the_documented_example_changes_the_header_and_the_card_size(tmp_path):
    files = documented_example_files()
    assert sorted(files) == ["cards.yaml", "worksheet-header.html"]
    folder = layout_folder(tmp_path, files)
    text = pdf_text(render_worksheet(folder))
    assert "YEAR 10 HISTORY · VERSION A" in text and "Mark: ____ / 7" in text  # .kicker is upper-cased
    set_ = make_sample_set(versions=1)
    doc = flashcards_document(set_, Layouts.with_user_folders([folder]), A4, Grid(2, 4), "long", Offset(),
                              composed=False)  # the sheets' HTML, where the card boxes are written out
    assert "width: 85mm; height: 55mm" in doc.html
    assert f"left: {(210 - 170) / 2:g}mm; top: {(297 - 220) / 2:g}mm" in doc.html
