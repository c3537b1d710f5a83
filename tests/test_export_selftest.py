"""The offline self-test page: strict HTML, nothing external, and answering in a real headless Chromium."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import replace
from pathlib import Path

import html5lib
import pytest
from helpers import headless_chromium, make_sample_set

from quizgen.export.selftest import page_html, write
from quizgen.model import Option



def test_page_is_strict_html_with_nothing_external(tmp_path: Path):
    path = tmp_path / "selftest.html"
    assert write(make_sample_set(), path) == []
    text = path.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(text)  # raises on any parse error
    document = html5lib.parse(text, namespaceHTMLElements=False)
    for element in document.iter():
        for attribute in ("src", "href", "action", "data"):
            assert attribute not in element.attrib, (element.tag, element.attrib)
    assert not re.search(r"https?://|@import|url\(", text.split('id="questions">')[0])


def test_question_text_cannot_break_out_of_the_data_element():
    sample = make_sample_set()
    hostile = replace(sample.questions[0], prompt="</script><script>alert(1)</script><!-- ")
    text = page_html(replace(sample, questions=(hostile, *sample.questions[1:])))
    data = text.split('<script type="application/json" id="questions">')[1].split("</script>")[0]
    assert "</script" not in data and "<!--" not in data
    assert json.loads(data)[0]["prompt"] == "</script><script>alert(1)</script><!-- "


@pytest.fixture(scope="module")
def browser():
    with headless_chromium("--window-size=1000,900") as driver:
        yield driver


def answer_current(driver, response: str | None, key: str | None = None) -> str:
    """Answer the question on screen (type text, pick a radio by letter key), press Check, return the verdict."""
    from selenium.webdriver.common.by import By

    section = driver.find_element(By.CSS_SELECTOR, ".question")
    if key is not None:
        section.find_element(By.CSS_SELECTOR, "input[type=radio]").send_keys(key)
    elif response is not None:
        section.find_element(By.CSS_SELECTOR, "input[type=text], input[type=number]").send_keys(response)
    section.find_element(By.CSS_SELECTOR, "button.check").click()
    return section.find_element(By.CSS_SELECTOR, ".feedback .verdict").text


def test_answering_scoring_and_retrying_in_chromium(browser, tmp_path: Path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    sample = make_sample_set()
    path = tmp_path / "selftest.html"
    write(sample, path)
    browser.get(path.as_uri())
    verdicts = []
    for question in sample.questions:
        section = browser.find_element(By.CSS_SELECTOR, ".question")
        assert question.prompt.split()[0] in section.text
        if question.type == "multiple-choice":
            verdicts.append(answer_current(browser, None, key="b"))  # Danube, by keyboard
        elif question.type == "true-false":
            verdicts.append(answer_current(browser, None, key="b"))  # False: wrong
        elif question.type == "cloze":
            verdicts.append(answer_current(browser, "donau"))  # an alias
        elif question.type == "short-answer":
            verdicts.append(answer_current(browser, "Dier ez-Zor"))  # a typo
        elif question.type == "numeric":
            verdicts.append(answer_current(browser, "2000"))  # out of tolerance: wrong
        elif question.type == "matching":
            selects = section.find_elements(By.CSS_SELECTOR, "select")
            for select, pair in zip(selects, question.pairs):
                Select(select).select_by_visible_text(pair.right)
            verdicts.append(answer_current(browser, None))
        elif question.type == "ordering":
            selects = section.find_elements(By.CSS_SELECTOR, "select")
            for select, item in zip(selects, question.sequence):
                Select(select).select_by_visible_text(item)
            verdicts.append(answer_current(browser, None))
        feedback = browser.find_element(By.CSS_SELECTOR, ".feedback").text
        assert question.explanation.split()[0] in feedback and "Source: Test Press" in feedback
        browser.find_element(By.CSS_SELECTOR, "button.check").click()  # Next / See result
    assert verdicts == ["Correct", "Not quite", "Correct", "Correct", "Correct", "Correct", "Not quite"]
    assert browser.find_element(By.ID, "score").text == "5 of 7 correct"
    browser.save_screenshot(str(tmp_path / "result.png"))
    browser.find_element(By.ID, "retry").click()
    retried = browser.find_element(By.CSS_SELECTOR, ".question")
    assert "Question 1 of 2" in retried.text and "True or false" in retried.text
    assert answer_current(browser, None, key="a") == "Correct"
    browser.find_element(By.CSS_SELECTOR, "button.check").click()
    assert answer_current(browser, "1230") == "Correct"
    browser.find_element(By.CSS_SELECTOR, "button.check").click()
    assert browser.find_element(By.ID, "score").text == "2 of 2 correct"


def test_whole_set_view_shows_every_question(browser, tmp_path: Path):
    from selenium.webdriver.common.by import By

    path = tmp_path / "selftest.html"
    write(make_sample_set(), path)
    browser.get(path.as_uri())
    browser.find_element(By.ID, "mode-all").click()
    assert len(browser.find_elements(By.CSS_SELECTOR, ".question")) == 7
    browser.set_window_size(375, 800)
    browser.save_screenshot(str(tmp_path / "narrow.png"))
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 375


def test_a_page_from_the_real_pack_shows_every_question_with_its_source(browser, tmp_path: Path):
    from helpers import DEFAULT_PACK
    from selenium.webdriver.common.by import By

    from quizgen.load.pack import load_pack
    from quizgen.generate import generate_question_set

    question_set = generate_question_set(load_pack(DEFAULT_PACK), count=20, seed=1)
    path = tmp_path / "selftest.html"
    write(question_set, path)
    html5lib.HTMLParser(strict=True).parse(path.read_text(encoding="utf-8"))
    browser.set_window_size(1000, 900)
    browser.get(path.as_uri())
    browser.find_element(By.ID, "mode-all").click()
    sections = browser.find_elements(By.CSS_SELECTOR, ".question")
    assert len(sections) == len(question_set.study_deck())
    first = question_set.study_deck()[0]
    sections[0].find_element(By.CSS_SELECTOR, "button.check").click()  # nothing chosen: not quite
    feedback = sections[0].find_element(By.CSS_SELECTOR, ".feedback").text
    assert "Not quite" in feedback and first.citations[0].text.split(",")[0] in feedback


def multiple_response_set():
    base = make_sample_set(versions=1)
    several = dataclasses.replace(base.questions[0], id="q-mr", type="multiple-response",
                                  prompt="Which rivers flow through Germany?", answer="Rhine, Danube",
                                  options=(Option("a", "Rhine", True), Option("b", "Seine", False),
                                           Option("c", "Danube", True), Option("d", "Loire", False)))
    again = dataclasses.replace(several, id="q-mr-2")
    return dataclasses.replace(base, questions=(several,), versions=(), deck=(several, again))


def test_multiple_response_is_ticked_as_a_set_in_chromium(browser, tmp_path: Path):
    from selenium.webdriver.common.by import By

    path = tmp_path / "selftest.html"
    write(multiple_response_set(), path)
    browser.get(path.as_uri())
    section = browser.find_element(By.CSS_SELECTOR, ".question")
    boxes = section.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")
    assert len(boxes) == 4 and "Tick every correct answer" in section.text
    boxes[0].click()  # Rhine only: not enough
    assert answer_current(browser, None) == "Not quite"
    browser.find_element(By.CSS_SELECTOR, "button.check").click()
    section = browser.find_element(By.CSS_SELECTOR, ".question")
    section.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")[0].send_keys("c")  # the keyboard ticks C
    section.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")[0].click()  # and a click ticks A
    assert answer_current(browser, None) == "Correct"


FOCUS_RING_OVER_LABEL = """
const found = [];
for (const input of document.querySelectorAll("input[type=text], input[type=number]")) {
  input.focus();
  const style = getComputedStyle(input);
  const grow = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
  const box = input.getBoundingClientRect();
  const ring = {left: box.left - grow, right: box.right + grow, top: box.top - grow, bottom: box.bottom + grow};
  const label = document.querySelector(`label[for="${input.id}"]`);
  const range = document.createRange();
  range.selectNodeContents(label);
  const covered = Array.from(range.getClientRects()).some(r =>
    r.left < ring.right && r.right > ring.left && r.top < ring.bottom && r.bottom > ring.top);
  found.push([label.textContent, style.outlineStyle, grow, covered]);
}
return found;
"""


@pytest.mark.parametrize("width", [900, 375])
def test_the_focus_ring_of_a_typed_answer_leaves_its_label_readable(browser, tmp_path: Path, width):
    from helpers import DEFAULT_PACK
    from selenium.webdriver.common.by import By

    from quizgen.load.pack import load_pack
    from quizgen.generate import generate_question_set

    path = tmp_path / "selftest.html"
    write(generate_question_set(load_pack(DEFAULT_PACK), count=20, seed=1), path)
    browser.set_window_size(width, 800)
    browser.get(path.as_uri())
    browser.find_element(By.ID, "mode-all").click()
    found = browser.execute_script(FOCUS_RING_OVER_LABEL)
    assert {label for label, *_ in found} >= {"Your answer", "Your answer (people)"}
    for label, outline, grow, covered in found:
        assert outline == "solid" and grow >= 3, (label, outline, grow)  # a ring is drawn
        assert not covered, f"the focus ring covers the label {label!r} at {width}px"
