"""`quizgen review`: the pool as students see it, an offline sheet to leave items out, and review.yaml respected
by generate, build and every export."""

from __future__ import annotations

import json
from pathlib import Path

import html5lib
import pytest
import yaml
from helpers import MINIMAL_PACK, headless_chromium, write_pack

from quizgen.cli import main
from quizgen.load.pack import load_pack
from quizgen.generate import generate_question_set, question_pool

@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "rivers", MINIMAL_PACK)


def test_text_listing_shows_every_question_with_its_key_and_source(pack: Path, capsys):
    assert main(["review", str(pack), "--text"]) == 0
    out = capsys.readouterr().out
    pool = question_pool(load_pack(pack))
    assert out.count("   KEY ") == len(pool.questions) > 5
    for question in pool.questions:
        assert question.id in out and question.prompt in out
    assert "SOURCE Test Press, “Notes on rivers”: “about 1,230 km long”" in out


def test_excluded_questions_leave_every_output(pack: Path, tmp_path: Path, capsys):
    pool = question_pool(load_pack(pack))
    dropped = next(q for q in pool.questions if q.type == "multiple-choice" or q.type == "short-answer")
    assert main(["review", str(pack), "--exclude", dropped.id, "--reason", "too easy"]) == 0
    saved = yaml.safe_load((pack / "review.yaml").read_text(encoding="utf-8"))
    assert saved == {"exclude": [{"id": dropped.id, "reason": "too easy"}]}
    reloaded = load_pack(pack)
    assert dropped.id not in {q.id for q in question_pool(reloaded).questions}
    question_set = generate_question_set(reloaded, count=50, seed=3)
    assert dropped.id not in {q.id for q in (*question_set.questions, *question_set.deck)}
    out = tmp_path / "out"
    assert main(["build", str(pack), "--out", str(out), "--quiet", "--only", "questions,exports"]) == 0
    for path in (out / "rivers").iterdir():
        if path.suffix in (".json", ".xml", ".txt", ".csv", ".tsv", ".html"):
            assert dropped.id not in path.read_text(encoding="utf-8"), path.name
    assert main(["review", str(pack), "--include", dropped.id]) == 0
    assert dropped.id in {q.id for q in question_pool(load_pack(pack)).questions}
    capsys.readouterr()


def test_an_unknown_id_is_one_clear_line(pack: Path, capsys):
    assert main(["review", str(pack), "--exclude", "0123456789ab"]) == 1
    err = capsys.readouterr().err
    assert "no question with id 0123456789ab in the pool" in err and "Traceback" not in err
    assert not (pack / "review.yaml").exists()


def test_a_damaged_review_file_is_reported_at_its_line(pack: Path, capsys):
    (pack / "review.yaml").write_text("exclude:\n  - {reason: no id}\n", encoding="utf-8")
    assert main(["check", str(pack)]) == 1
    assert "review.yaml:2:5: exclude[0]: missing required field 'id'" in capsys.readouterr().err


def test_the_sheet_is_strict_offline_html_with_a_box_per_question(pack: Path, tmp_path: Path):
    target = tmp_path / "review.html"
    assert main(["review", str(pack), "--out", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(text)
    assert "http" not in text.split("<script>")[0]
    pool = question_pool(load_pack(pack))
    assert text.count('class="leave-out"') == len(pool.questions)


def test_ticking_a_question_in_chromium_writes_review_yaml_that_the_pack_accepts(pack: Path, tmp_path: Path):
    from selenium.webdriver.common.by import By

    target = tmp_path / "review.html"
    assert main(["review", str(pack), "--out", str(target)]) == 0
    with headless_chromium() as driver:
        driver.get(target.as_uri())
        article = driver.find_elements(By.CSS_SELECTOR, "article")[1]
        article.find_element(By.CSS_SELECTOR, ".leave-out").click()
        article.find_element(By.CSS_SELECTOR, ".reason").send_keys('says "too much": away')
        assert driver.find_element(By.ID, "status").text == "1 left out"
        written = driver.execute_script("return yamlText();")
        chosen = article.get_attribute("data-id")
    (pack / "review.yaml").write_text(written, encoding="utf-8")
    reloaded = load_pack(pack)
    assert reloaded.excluded == (chosen,)
    assert yaml.safe_load(written)["exclude"][0]["reason"] == 'says "too much": away'
    assert json.dumps(chosen) in written
