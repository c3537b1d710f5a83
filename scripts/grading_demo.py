"""A simulated class marked end to end, and the grading previews in docs/images/ made from it.

    .venv/bin/python scripts/grading_demo.py [--students 40] [--keep DIR]

Builds named answer sheets for the default pack (4 versions), ticks them as students of
varying ability would (the test helpers' pen strokes), turns some pages, shuffles them into one
200 dpi scanned PDF, runs `quizgen grade` on it, checks every total against questions.json's
key, and renders docs/images/answer-sheet.png, annotated-sheet.png and grading-report.png.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import gradekit as gk  # noqa: E402  (the test helpers draw the ticks)

from quizgen.sheets.record import read_answer_sheets  # noqa: E402

QUIZGEN = [sys.executable, "-m", "quizgen"]
NAMES = ["Amina", "Omar", "Lina", "Karim", "Sara", "Yusuf", "Maya", "Rami", "Nour", "Hadi"]
DPI = 200


def answers_for(page, ability: float, rng: random.Random) -> dict[int, tuple[int, ...]]:
    """The box each question gets: right with chance `ability`, else the tempting first distractor mostly."""
    choices = {}
    for item in page.items:
        if item.teacher_scored:
            r = rng.random()
            choices[item.number] = (2 if r < ability else 1 if r < ability + 0.15 else 0,)
        elif rng.random() < ability:
            choices[item.number] = (item.correct.index(True),)
        else:
            wrong = [k for k, right in enumerate(item.correct) if not right]
            choices[item.number] = (wrong[0] if rng.random() < 0.6 else rng.choice(wrong),)
    return choices


def key_score(question: dict, chosen: int, teacher_scored: bool) -> float:
    """The score questions.json's key gives one ticked box: a multiple-response question earns a share for
    every box answered the key's way (docs/grading.md), any other option question all or nothing."""
    if teacher_scored:
        return (0.0, 0.5, 1.0)[chosen]
    options = question["options"]
    if question["type"] == "multiple-response":
        return sum((k == chosen) == o["correct"] for k, o in enumerate(options)) / len(options)
    return float(options[chosen]["correct"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="quizgen-grading-"))
    work.mkdir(parents=True, exist_ok=True)
    roster = work / "class.csv"
    roster.write_text("number,name\n" + "".join(f"{240100 + n},{NAMES[n % 10]} {chr(65 + n // 10)}.\n"
                                                 for n in range(args.students)), encoding="utf-8")
    subprocess.run([*QUIZGEN, "build", str(ROOT / "content" / "deir-ez-zor-2014"), "--out", str(work / "build"),
                    "--versions", "4", "--count", "20", "--students", str(roster),
                    "--only", "answer-sheets,questions", "--quiet"], check=True)
    folder = next(p for p in (work / "build").iterdir() if not p.name.startswith("."))
    sheets = read_answer_sheets(folder / "answer-sheets.json")
    questions = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
    by_version = {v["code"]: v["questions"] for v in questions["versions"]}
    document = pdfium.PdfDocument(str(folder / "answer-sheets.pdf"))
    rng = random.Random(2014)
    images, expected = [], {}
    for index, page in enumerate(sheets.pages):
        choices = answers_for(page, 0.25 + 0.7 * (index * 7 % args.students) / args.students, rng)
        expected[page.student.number] = sum(
            key_score(by_version[page.version][i.number - 1], choices[i.number][0], i.teacher_scored)
            for i in page.items)
        image = np.array(document[index].render(scale=DPI / 72, grayscale=True).to_numpy(), copy=True)
        scan = gk.fill(image, page, DPI, rng, number=page.student.number, choices=choices, smudges=0).image
        if index % 3 == 0:
            scan = gk.rotated(scan, rng.uniform(-4, 4))
        if index % 13 == 5:
            scan = gk.upside_down(scan)
        images.append(Image.fromarray(gk.jpeg(scan, 70)))
    document.close()
    rng.shuffle(images)
    scans = work / "class-scans.pdf"
    images[0].save(scans, "PDF", resolution=DPI, save_all=True, append_images=images[1:], quality=75)
    out = work / "grading"
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([*QUIZGEN, "grade", str(folder), str(scans), "--out", str(out)], check=True)
    with open(out / "marks.csv", encoding="utf-8") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    wrong = [n for n, total in expected.items() if abs(float(rows[n]["total"]) - total) > 0.011]  # marks.csv rounds
    print(f"{len(expected) - len(wrong)} of {len(expected)} totals equal the key's" + (f"; not {wrong}" if wrong else ""))
    images_dir = ROOT / "docs" / "images"
    subprocess.run(["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile", str(folder / "answer-sheets.pdf"),
                    str(images_dir / "answer-sheet")], check=True)
    subprocess.run(["pdftoppm", "-png", "-r", "72", "-singlefile", str(out / f"annotated-{240107}.pdf"),
                    str(images_dir / "annotated-sheet")], check=True)
    shot = work / "report.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", f"--screenshot={shot}",
                    "--window-size=1200,1600", (out / "report.html").as_uri()], check=True, capture_output=True)
    Image.open(shot).crop((0, 0, 1200, 960)).resize((900, 720), Image.LANCZOS).save(
        images_dir / "grading-report.png", optimize=True)
    print("wrote docs/images/answer-sheet.png, annotated-sheet.png, grading-report.png"
          + (f" (work kept in {work})" if args.keep else ""))
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
