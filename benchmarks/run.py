"""Benchmark quizgen on the default pack: prints a table, then one JSON line of medians (seconds, MB).

    .venv/bin/python benchmarks/run.py [--runs 3] [--only cold_build_s,one_fact_rebuild_s]

Every figure is a new `quizgen` process on a temporary copy of the pack and a temporary output
folder (never the repository's build/), so start-up and imports count, as they do for a user. A
rebuild is handed to the build server the first build started (quizgen/server.py), as a
user's is; a first build, the class and school sets and their memory are builds by themselves.
Compare ratios measured in one run: the machines this runs on are shared and noisy.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import amc  # benchmarks/amc.py: auto-multiple-choice side by side, when it is installed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from large_pack import write_large_pack  # noqa: E402

PACK = ROOT / "content" / "deir-ez-zor-2014"
QUIZGEN = [sys.executable, "-m", "quizgen"]
CLASS_SET = ["--versions", "40", "--count", "20", "--only", "worksheets,keys"]
SCHOOL_SET = ["--versions", "500", "--count", "20", "--only", "worksheets,keys"]
# a build by itself, with no build server (server.py): a first build on a machine, and the class and school
# sets, measured as a teacher's single build of the day (and their memory, which a server's child would hide)
ALONE = {"QUIZGEN_SERVER": "off"}
RSS_PROBE = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def tree_peak_rss_mb(args: list[str], cwd: Path) -> float:
    """The largest memory of a command and all its descendants together, sampled every 20 ms: the sum
    of their proportional set sizes (PSS), so that pages forked workers share with the parent count
    once; plain RSS where the kernel does not report PSS."""
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, **ALONE})
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(_memory_kb(pid) for pid in _tree(process.pid)))
        time.sleep(0.02)
    if process.returncode:
        raise SystemExit(f"{' '.join(args)} failed")
    return peak / 1024


def _tree(root: int) -> list[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def _memory_kb(pid: int) -> int:
    for file, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            for line in Path(file).read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1])
        except OSError:
            continue
    return 0


def timed(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=None if env is None else {**os.environ, **env})
    return time.perf_counter() - started


def wait_for_build_server(work: Path) -> None:
    """Wait (up to 60 s) until the build server a build in `work` started answers: its imports take a second or
    two, which a user's next build, moments later, does not see."""
    code = ("import os, sys; sys.path[0] = os.getcwd(); import quizgen.server as s; "
            "print(s.socket_path() if s.wanted() else None)")
    path = subprocess.run([*QUIZGEN[:1], "-c", code], cwd=work, check=True, capture_output=True,
                          text=True).stdout.strip()  # the module path of `python -m quizgen` run in `work`
    deadline = time.monotonic() + 60
    while path != "None" and time.monotonic() < deadline:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(path)
                return
            except OSError:
                time.sleep(0.1)


def end_build_servers(runtime: Path) -> None:
    """End the build servers listening in `runtime` (the benchmark's own), found by their command lines."""
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(runtime).encode() in (entry / "cmdline").read_bytes():
                os.kill(int(entry.name), signal.SIGKILL)
        except OSError:
            continue


def median_of(runs: int, setup, args: list[str], cwd: Path, env=lambda: None) -> float:
    """The median time of `args` over `runs` runs, each after `setup()`, with the variables `env()` gives."""
    times = []
    for _ in range(runs):
        setup()
        times.append(timed(args, cwd, env()))
    return statistics.median(times)


def empty_user_cache(work: Path):
    """For a run as on a machine quizgen never ran on: a new, empty user's cache folder each time."""
    runs = iter(range(1, 1000))
    return lambda: {"XDG_CACHE_HOME": str(work / f"first-{next(runs)}"), **ALONE}


def asked_fact(pack: Path) -> str:
    """A fact the default build asks about, so editing it really changes the worksheet's key and cards."""
    output = subprocess.run([*QUIZGEN, "generate", str(pack), "--format", "json"], check=True, capture_output=True,
                            text=True).stdout
    # a question of one fact: its statement is the question's explanation, on the key and the card (a question
    # of several facts explains itself in words of its own, which an edit of one statement leaves alone)
    single = [q for q in json.loads(output)["questions"] if q["type"] not in ("matching", "ordering")
              and len(q["fact_ids"]) == 1]
    return single[0]["fact_ids"][0]


def edit_one_fact(pack: Path, fact_id: str, round_number: int) -> None:
    """Change the wording of one fact's learner statement (differently each round, so every round rebuilds);
    a fact that takes its statement from its relation gets one of its own."""
    for path in sorted(pack.glob("facts*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.strip() != f"- id: {fact_id}":
                continue
            end = next((k for k in range(i + 1, len(lines)) if lines[k].lstrip().startswith("- id:")), len(lines))
            found = next((k for k in range(i + 1, end) if lines[k].lstrip().startswith("statement:")), None)
            if found is not None:
                lines[found] = lines[found].rstrip("\n").rstrip('"') + f' (edit {round_number})"\n'
            else:
                indent = line[: len(line) - len(line.lstrip())] + "  "
                lines.insert(i + 1, f'{indent}statement: "An edited statement, round {round_number}."\n')
            path.write_text("".join(lines), encoding="utf-8")
            return
    raise SystemExit(f"fact {fact_id} not found in {pack}")


def class_set_questions(pack: Path):
    """The class set's question set, as the build makes it (AMC gets the same questions)."""
    sys.path.insert(0, str(ROOT))
    from quizgen.load.pack import load_pack
    from quizgen.generate import generate_question_set

    return generate_question_set(load_pack(pack), count=20, seed=1, versions=1)


def raw_weasyprint_seconds(work: Path) -> float:
    """WeasyPrint alone on the final HTML of the class set's worksheets and keys, in this process."""
    sys.path.insert(0, str(ROOT))
    from weasyprint import HTML

    from quizgen.load.pack import load_pack
    from quizgen.generate import generate_question_set
    from quizgen.render.html import answer_key_document, worksheet_document
    from quizgen.render.layouts import Layouts
    from quizgen.sheets.paper import PAPERS

    question_set = generate_question_set(load_pack(work / "pack"), count=20, seed=1, versions=40)
    layouts = Layouts.with_user_folders()
    documents = [worksheet_document(question_set, question_set.versions, layouts, PAPERS["a4"]),
                 answer_key_document(question_set, question_set.versions, layouts, PAPERS["a4"])]
    HTML(string="<p>warm-up</p>").write_pdf()  # fonts and imports are not what is measured
    started = time.perf_counter()
    for document in documents:
        base = document.layout_folders[-1].as_uri() + "/"
        HTML(string=document.html, base_url=base).write_pdf()
    return time.perf_counter() - started


def bounded_worker_ms(calls: int = 20) -> float:
    """What one bounded worker (quizgen/sandbox.py) adds: fork, limits, result back, from a process that
    has loaded WeasyPrint and the build, as a real build's parent has."""
    import weasyprint  # noqa: F401  (a loaded parent is what gets forked)

    import quizgen.build.run  # noqa: F401
    from quizgen.sandbox import Task, run_bounded

    started = time.perf_counter()
    for _ in range(calls):
        run_bounded(Task(len, ("worker",), "benchmark"))
    return (time.perf_counter() - started) / calls * 1000


def serve_reload_seconds(pack: Path, fact_id: str, runs: int, rounds) -> float | None:
    """From saving a fact file to the page of `quizgen serve` showing the change, in headless Chromium (the page
    polls and reloads itself, as an author's browser does); None where Chromium or Selenium is missing."""
    chromium, driver_path = shutil.which("chromium") or "/usr/bin/chromium", shutil.which("chromedriver") or \
        "/usr/bin/chromedriver"
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None
    if not (Path(chromium).exists() and Path(driver_path).exists()):
        return None
    server = subprocess.Popen([*QUIZGEN, "serve", str(pack), "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    profile = tempfile.mkdtemp(prefix="quizgen-bench-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    shows = "return (document.getElementById('pool') || {textContent: ''}).textContent.includes(arguments[0])"
    try:
        url = server.stdout.readline().split(" at ", 1)[1].split()[0]
        driver.get(url)
        times = []
        for _ in range(runs + 1):  # the first edit warms the server's caches, as an author's first save does
            number = next(rounds)
            time.sleep(1)  # the page is idle again, polling
            edit_one_fact(pack, fact_id, number)
            started = time.perf_counter()
            while not driver.execute_script(shows, f"(edit {number})"):
                if time.perf_counter() - started > 30:
                    raise SystemExit("quizgen serve did not show a saved edit within 30 s")
                time.sleep(0.01)
            times.append(time.perf_counter() - started)
        return statistics.median(times[1:])
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


def grade_100_pages_seconds(work: Path, runs: int) -> float:
    """`quizgen grade` on 100 scanned pages at 200 dpi: a class of 100 named sheets, one tick per question
    drawn on each, saved as one PDF of JPEG pages the way a scanner's PDF holds them."""
    import cv2
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    from quizgen.sheets.record import SHEETS_JSON, SHEETS_PDF, read_answer_sheets

    dpi, folder = 200, work / "grade"
    folder.mkdir()
    roster = folder / "class.csv"
    roster.write_text("number,name\n" + "".join(f"{5000 + n},Student {n}\n" for n in range(100)), encoding="utf-8")
    subprocess.run([*QUIZGEN, "build", str(PACK), "--out", str(folder / "build"), "--versions", "4", "--answer-sheets",
                    "--students", str(roster), "--only", "answer-sheets", "--quiet"], check=True)
    build = next(p for p in (folder / "build").iterdir() if not p.name.startswith("."))
    sheets = read_answer_sheets(build / SHEETS_JSON)
    document = pdfium.PdfDocument(str(build / SHEETS_PDF))
    pictures = []
    for index, page in enumerate(sheets.pages):
        image = np.array(document[index].render(scale=dpi / 72, grayscale=True).to_numpy(), copy=True)
        for n, item in enumerate(page.items):
            box = item.boxes[(index + n) % len(item.boxes)]
            points = [(box.x + 0.8, box.y + 2.5), (box.x + 2.0, box.y + 3.8), (box.x + 4.6, box.y - 0.5)]
            pixels = np.array([(x * dpi / 25.4, y * dpi / 25.4) for x, y in points], dtype=np.int32)
            cv2.polylines(image, [pixels], False, 30, 4, cv2.LINE_AA)
        pictures.append(Image.fromarray(image))
    document.close()
    scans = folder / "scans.pdf"
    pictures[0].save(scans, "PDF", resolution=dpi, save_all=True, append_images=pictures[1:], quality=75)
    out = folder / "marks"
    return median_of(runs, lambda: shutil.rmtree(out, ignore_errors=True),
                     [*QUIZGEN, "grade", str(build), str(scans), "--out", str(out), "--quiet"], work)


FIGURES = ("generate_10k_facts_s", "startup_s", "check_s", "generate_s", "first_build_s", "cold_build_s",
           "noop_rebuild_s", "one_fact_rebuild_s", "serve_reload_s", "class_set_40_s", "peak_rss_mb",
           "amc_class_set_40_s", "class_set_vs_amc", "school_set_500_s", "school_set_500_rss_mb", "per_version_ms",
           "raw_weasyprint_s", "overhead_ratio", "bounded_worker_ms", "grade_100_pages_s")
# what a figure is computed from, or needs done before it (a rebuild needs a first build in the output folder)
NEEDS = {"noop_rebuild_s": ("cold_build_s",), "one_fact_rebuild_s": ("cold_build_s",),
         "class_set_vs_amc": ("class_set_40_s", "amc_class_set_40_s"),
         "per_version_ms": ("class_set_40_s", "school_set_500_s"),
         "overhead_ratio": ("class_set_40_s", "raw_weasyprint_s")}


def figure_names(text: str) -> tuple[str, ...]:
    """'cold_build_s,one_fact_rebuild_s' → those names; an unknown name is an error naming the known ones."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in FIGURES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"{', '.join(unknown) or repr(text)} is not a figure; expected some of "
                                         f"{', '.join(FIGURES)}")
    return names


def needed_for(names: tuple[str, ...]) -> set[str]:
    """The figures to measure: those asked for and everything they are computed from."""
    wanted: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending += NEEDS.get(name, ())
    return wanted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", type=figure_names, default=FIGURES, metavar="KEY,...",
                        help="measure only these figures (with the ones they need); default: every figure")
    arguments = parser.parse_args()
    runs, wanted = arguments.runs, needed_for(arguments.only)
    # timed as installed: pip compiles an installed package's bytecode, which an editable checkout run with
    # PYTHONDONTWRITEBYTECODE (or from a read-only tree) never has, so each command would compile it again
    compileall.compile_dir(ROOT / "quizgen", quiet=1)
    work = Path(tempfile.mkdtemp(prefix="quizgen-bench-"))
    # the build server the benchmark's builds start listens here, and is ended with the benchmark
    (work / "run").mkdir(mode=0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(work / "run")
    pack = work / "pack"
    shutil.copytree(PACK, pack)
    out = work / "out"
    build = [*QUIZGEN, "build", str(pack), "--out", str(out), "--quiet"]

    def clean() -> None:
        shutil.rmtree(out, ignore_errors=True)

    rounds = iter(range(1, 1000))
    figures: dict[str, float] = {}
    try:
        if "generate_10k_facts_s" in wanted:
            large = write_large_pack(work / "large", 10_000)
            figures["generate_10k_facts_s"] = median_of(runs, lambda: None, [*QUIZGEN, "generate", str(large),
                                                                           "--count", "40"], work)
        if "startup_s" in wanted:
            figures["startup_s"] = median_of(runs, lambda: None, [*QUIZGEN, "--help"], work)
        if "check_s" in wanted:
            figures["check_s"] = median_of(runs, lambda: None, [*QUIZGEN, "check", str(pack)], work)
        if "generate_s" in wanted:
            figures["generate_s"] = median_of(runs, lambda: None, [*QUIZGEN, "generate", str(pack), "--count", "40",
                                                                   "--format", "json"], work)
        if "first_build_s" in wanted:
            figures["first_build_s"] = median_of(runs, clean, build, work, env=empty_user_cache(work))
        if "cold_build_s" in wanted:
            # the pack built once elsewhere, untimed, as by this user before: the first timed run finds what the
            # others do (in the user's cache folder) whatever ran on this machine before the benchmark
            subprocess.run([*build[:-3], "--out", str(work / "elsewhere"), "--quiet"], cwd=work, check=True)
            wait_for_build_server(work)  # started by that build, as for this user's next one
            figures["cold_build_s"] = median_of(runs, clean, build, work)
        if "noop_rebuild_s" in wanted:
            figures["noop_rebuild_s"] = median_of(runs, lambda: None, build, work)
        if wanted & {"one_fact_rebuild_s", "serve_reload_s"}:
            fact_id = asked_fact(pack)
        if "one_fact_rebuild_s" in wanted:
            figures["one_fact_rebuild_s"] = median_of(runs, lambda: edit_one_fact(pack, fact_id, next(rounds)), build,
                                                      work)
        reload_s = serve_reload_seconds(pack, fact_id, runs, rounds) if "serve_reload_s" in wanted else None
        if reload_s is not None:
            figures["serve_reload_s"] = reload_s
        if "class_set_40_s" in wanted:
            figures["class_set_40_s"] = median_of(runs, clean, [*build, *CLASS_SET], work, env=lambda: ALONE)
        if "peak_rss_mb" in wanted:
            clean()
            probe = subprocess.run([sys.executable, "-c", RSS_PROBE, *build, *CLASS_SET], cwd=work, check=True,
                                   capture_output=True, text=True, env={**os.environ, **ALONE})
            figures["peak_rss_mb"] = int(probe.stdout.strip()) / 1024
        if amc.available() and wanted & {"amc_class_set_40_s", "class_set_vs_amc"}:
            class_set = class_set_questions(pack)
            figures["amc_class_set_40_s"] = statistics.median(amc.prepare_seconds(class_set, 40, work)
                                                              for _ in range(runs))
            if "class_set_vs_amc" in wanted:
                figures["class_set_vs_amc"] = figures["class_set_40_s"] / figures["amc_class_set_40_s"]
        if "school_set_500_s" in wanted:
            figures["school_set_500_s"] = median_of(runs, clean, [*build, *SCHOOL_SET], work, env=lambda: ALONE)
        if "school_set_500_rss_mb" in wanted:
            clean()
            figures["school_set_500_rss_mb"] = tree_peak_rss_mb([*build, *SCHOOL_SET], work)
        if "per_version_ms" in wanted:
            figures["per_version_ms"] = (figures["school_set_500_s"] - figures["class_set_40_s"]) / 460 * 1000
        if "raw_weasyprint_s" in wanted:
            figures["raw_weasyprint_s"] = statistics.median(raw_weasyprint_seconds(work) for _ in range(runs))
        if "overhead_ratio" in wanted:
            figures["overhead_ratio"] = figures["class_set_40_s"] / figures["raw_weasyprint_s"]
        if "bounded_worker_ms" in wanted:
            figures["bounded_worker_ms"] = statistics.median(bounded_worker_ms() for _ in range(runs))
        if "grade_100_pages_s" in wanted:
            figures["grade_100_pages_s"] = grade_100_pages_seconds(work, runs)
    finally:
        end_build_servers(work / "run")
        shutil.rmtree(work, ignore_errors=True)

    print(f"quizgen benchmark — {os.cpu_count()} cores, Python {platform.python_version()}, medians of {runs} runs"
          + ("" if amc.available() else " (auto-multiple-choice not installed: benchmarks/install-amc.sh)"))
    print(f"{'figure':<22}{'value':>10}")
    for name, value in figures.items():
        unit = ("" if name in ("overhead_ratio", "class_set_vs_amc") else " MB" if name.endswith("_mb")
                else " ms" if name.endswith("_ms") else " s")
        print(f"{name:<22}{value:>10.2f}{unit}")
    print(json.dumps({k: round(v, 3) for k, v in figures.items()}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
