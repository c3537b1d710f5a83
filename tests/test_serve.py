"""`quizgen serve`: a live preview on 127.0.0.1 that follows the author's saves, tested in headless Chromium."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from quizgen.author.serve import ServeOptions, files_stamp, make_preview, stamps_of, watched_folders

from helpers import DISCOVERERS_PACK, ROOT, headless_chromium, write_pack



@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "discoverers", DISCOVERERS_PACK)


@pytest.fixture
def server(pack: Path):
    """`quizgen serve PACK --port 0` in its own process; yields its address, and stops it."""
    process = subprocess.Popen([sys.executable, "-m", "quizgen", "serve", str(pack), "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        assert first.startswith(f"serving {pack} at http://127.0.0.1:"), (first, process.stderr.read())
        yield process, first.split(" at ", 1)[1].split()[0]
    finally:
        process.terminate()
        process.wait(timeout=10)


def fetch(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_a_save_changes_the_stamp_the_page_polls(pack: Path):
    folders = watched_folders(ServeOptions(pack))
    before = files_stamp(folders)
    assert files_stamp(folders) == before
    facts = pack / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert files_stamp(folders) != before


def test_a_template_or_layout_save_changes_the_stamp_and_a_broken_template_is_shown_at_its_line(pack: Path,
                                                                                                tmp_path: Path):
    templates, layouts = tmp_path / "my-templates", tmp_path / "my-layouts"
    templates.mkdir()
    layouts.mkdir()
    (layouts / "worksheet.css").write_text("body { color: navy; }\n", encoding="utf-8")
    options = ServeOptions(pack, templates=(templates,), layouts=(layouts,))
    before = files_stamp(watched_folders(options))
    (layouts / "worksheet.css").write_text("body { color: teal; }\n", encoding="utf-8")
    assert files_stamp(watched_folders(options)) != before
    (templates / "mc-subject.yaml").write_text(
        "id: mc-subject\ntype: multiple-choice\nask: subject\nprompt: '{{ fact.topc }}'\n", encoding="utf-8")
    preview = make_preview(options, "stamp", None)
    assert any(p.startswith(f"{templates / 'mc-subject.yaml'}:4:") for p in preview.problems), preview.problems
    assert preview.worksheet == "" and preview.pool == ""  # nothing made yet to keep in view
    (templates / "mc-subject.yaml").unlink()  # the template fixed: the pack read for the broken one is kept
    fixed = make_preview(options, "fixed", preview)
    assert fixed.problems == () and "Who discovered polonium?" in fixed.pool
    assert fixed.made.pack is preview.made.pack


def test_a_save_makes_again_only_what_it_touches(pack: Path, tmp_path: Path):
    layouts, templates = tmp_path / "my-layouts", tmp_path / "my-templates"
    layouts.mkdir()
    templates.mkdir()
    options = ServeOptions(pack, templates=(templates,), layouts=(layouts,))
    first = make_preview(options, stamps_of(options).joined, None)
    assert "Who discovered" in first.worksheet and first.made is not None

    # a layout edit: the same pack and question set, the documents laid out again with the new layout
    (layouts / "worksheet-header.html").write_text("<p>Year 10 chemistry · Version {{ v.code }}</p>\n",
                                                   encoding="utf-8")
    relaid = make_preview(options, stamps_of(options).joined, first)
    assert relaid.made.pack is first.made.pack and relaid.made.question_set is first.made.question_set
    assert relaid.pool == first.pool and "Year 10 chemistry" in relaid.worksheet

    # a template edit: the pack is not read again, the pool is made again with the user's template
    (templates / "mc-subject.yaml").write_text(
        "id: mc-subject\ntype: multiple-choice\nask: subject\nselect:\n  values: [entity, text]\n"
        "distractors: 3\nprompt: 'Name the discoverer: {{ question }}'\n",
        encoding="utf-8")
    retemplated = make_preview(options, stamps_of(options).joined, relaid)
    assert retemplated.made.pack is first.made.pack and "Name the discoverer" in retemplated.pool

    # a fact edit: the pack is read again
    facts = pack / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "    subject: william-ramsay\n", "    subject: william-ramsay\n    statement: Ramsay found a noble gas.\n"),
        encoding="utf-8")
    reloaded = make_preview(options, stamps_of(options).joined, retemplated)
    assert reloaded.made.pack is not first.made.pack and "Ramsay found a noble gas." in reloaded.pool


def test_a_request_for_the_stamp_since_the_current_one_waits_for_the_next(pack: Path, server):
    process, url = server
    status, current = fetch(url + "stamp")
    facts = pack / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    status, following = fetch(url + f"stamp?since={current}")  # answered once the new preview is made
    assert status == 200 and following != current
    status, parts = fetch(url + "parts.json")
    assert status == 200 and json.loads(parts)["stamp"] == following


def test_it_answers_only_this_machine_and_only_layout_files_by_name(server):
    process, url = server
    status, page = fetch(url)
    assert status == 200 and "Who discovered polonium?" in page and "check and lint: no errors" in page
    assert fetch(url + "sheet.css")[0] == 200
    assert fetch(url + "worksheet.html")[1].lstrip().lower().startswith("<!doctype html>")
    assert fetch(url + "..%2F..%2Fpack.yaml")[0] == 404 and fetch(url + "facts.yaml")[0] == 404
    assert fetch(url + "stamp", host="attacker.example")[0] == 403  # a page elsewhere, by DNS rebinding


def test_the_page_follows_edits_and_shows_problems_at_their_line_in_chromium(pack: Path, server):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def wait(until):  # the page swaps its parts on every reload: an element read mid-swap is read again
        return WebDriverWait(driver, 20, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(until)

    process, url = server
    facts = pack / "facts.yaml"
    with headless_chromium() as driver:
        driver.get(url)
        assert wait(lambda d: "Who discovered polonium?" in d.find_element(By.ID, "pool").text)
        assert driver.find_elements(By.CSS_SELECTOR, "#problems li") == []
        driver.switch_to.frame(driver.find_element(By.ID, "worksheet"))
        assert "Who discovered" in driver.find_element(By.TAG_NAME, "body").text
        driver.switch_to.default_content()
        driver.switch_to.frame(driver.find_element(By.ID, "cards"))
        assert "discovered" in driver.find_element(By.TAG_NAME, "body").text
        driver.switch_to.default_content()
        driver.execute_script("window.quizgenPage = 'the first one'")

        # an edit to a fact file: the pool shows the new explanation without a manual reload
        edited = facts.read_text(encoding="utf-8").replace(
            "    subject: william-ramsay\n",
            "    subject: william-ramsay\n    statement: William Ramsay isolated neon, a noble gas.\n")
        assert "a noble gas" in edited
        facts.write_text(edited, encoding="utf-8")
        wait(lambda d: "a noble gas" in d.find_element(By.ID, "pool").text)
        # the page swapped its parts in place rather than reloading itself (and both documents)
        assert driver.execute_script("return window.quizgenPage") == "the first one"
        driver.switch_to.frame(driver.find_element(By.ID, "cards"))
        assert wait(lambda d: "a noble gas" in d.find_element(By.TAG_NAME, "body").text)
        driver.switch_to.default_content()

        # a broken quotation: the problem is shown at its file and line, the last pool stays in view
        facts.write_text(facts.read_text(encoding="utf-8").replace("Ramsay isolated neon in 1898.",
                                                                   "Ramsay isolated argon in 1898."), encoding="utf-8")
        problems = wait(lambda d: [li.text for li in d.find_elements(By.CSS_SELECTOR, "#problems li")])
        assert any(p.startswith(f"{facts}:") and "'Ramsay isolated argon in 1898.' was not found in the text of "
                   "source S1" in p for p in problems), problems
        assert wait(lambda d: "a noble gas" in d.find_element(By.ID, "pool").text)
    process.terminate()
    assert process.wait(timeout=10) != 0 and process.poll() is not None
