"""A phone photo in poor light, graded: the pictures of docs/grading.md's section on light and staples.

    .venv/bin/python scripts/grading_photo.py [--keep DIR]

Ticks one answer sheet of the test sheets (tests/gradekit.py) as a student would, staples its top-left
corner, photographs it on a desk in the light of a lamp (40 % fall-off) with the shadow of the hand
holding the phone, grades the photo with `quizgen grade`, adds a teacher's correction in corrections.csv,
grades again, and writes docs/images/photo-scan.png (the photo) and photo-annotated.png (its annotated page).
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import gradekit as gk  # noqa: E402  (the test helpers draw the ticks and the light)

QUIZGEN = [sys.executable, "-m", "quizgen"]
DPI = 200
WIDTH = 620  # pixels of the pictures in the docs: enough to see the marks, small enough to commit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="quizgen-photo-"))
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(24)
    build = gk.sheets_only_build(work / "build")
    styles = gk.TICK_STYLES * 3 + ("circle", "dot")  # now and then a ring or a pen's resting dot
    filled = gk.fill_page("a4", 0, DPI, rng, number="240117", styles=styles)
    photo = gk.stapled(filled.image, "a4", 0, DPI, rng)
    photo = gk.on_desk(photo, rng, desk=90)
    photo = gk.hand_shadow(gk.unevenly_lit(photo, 0.4, 20), 0.4, rng)
    photo_path = work / "photo.jpg"
    Image.fromarray(photo).save(photo_path, quality=80)
    out = work / "grading"
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([*QUIZGEN, "grade", str(build), str(photo_path), "--out", str(out)], check=False)
    with open(out / "marks.csv", encoding="utf-8") as stream:
        row = next(csv.DictReader(stream))
    unclear = [c for c in row if c.startswith("Q") and row[c] == "?"]
    if unclear:  # the teacher looks at the first unclear question and decides
        question = unclear[0].split()[0]
        (out / "corrections.csv").write_text(f"student,question,score,note\n240117,{question},1,ringed the right "
                                             "answer\n", encoding="utf-8")
        subprocess.run([*QUIZGEN, "grade", str(build), str(photo_path), "--out", str(out)], check=False)
    images = ROOT / "docs" / "images"
    small = Image.fromarray(photo)
    small.thumbnail((WIDTH, 10 * WIDTH))
    small.quantize(32).save(images / "photo-scan.png", optimize=True)  # a palette keeps the picture small
    document = pdfium.PdfDocument(str(out / "annotated-240117.pdf"))
    annotated = document[0].render(scale=WIDTH / document[0].get_width()).to_pil().convert("RGB")
    document.close()
    annotated.quantize(128).save(images / "photo-annotated.png", optimize=True)
    print("wrote docs/images/photo-scan.png and photo-annotated.png" + (f" (work kept in {work})" if args.keep else ""))
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
