"""Incremental builds: nothing changed → nothing rebuilt; any input changed → rebuilt, same bytes as a clean build."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, ROOT, science_pack_files, write_pack
from pypdf import PdfReader

from quizgen.cli import main
from quizgen.render.piece_store import PIECE_ENTRY, PIECES_FOLDER, SWEEP_EVERY_NS, SWEPT

ONLY = ["--only", "questions,worksheets,keys,exports", "--count", "6"]


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def pack(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the Anki deck's note times
    return write_pack(tmp_path / "chemistry", science_pack_files())


def test_an_unchanged_rebuild_does_nothing(pack: Path, tmp_path: Path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(pack), "--out", str(out), *ONLY]) == 0
    folder = out / "chemistry"
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    capsys.readouterr()
    assert main(["build", str(pack), "--out", str(out), *ONLY]) == 0
    assert "is up to date (nothing changed since the last build)" in capsys.readouterr().out
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


@pytest.mark.parametrize("change", ["fact", "option", "missing-output", "template"])
def test_any_changed_input_rebuilds_to_the_bytes_of_a_clean_build(pack: Path, tmp_path: Path, capsys, change):
    out = tmp_path / "out"
    assert main(["build", str(pack), "--out", str(out), *ONLY]) == 0
    folder = out / "chemistry"
    extra: list[str] = []
    if change == "fact":
        facts = pack / "facts.yaml"
        facts.write_text(facts.read_text().replace(
            "  - id: F10\n", '  - id: F10\n    statement: "Marie Curie discovered Polonium, with Pierre Curie."\n'))
        (pack / "notes.txt").write_text((pack / "notes.txt").read_text())
    elif change == "option":
        extra = ["--seed", "9"]
    elif change == "missing-output":
        # a changed output is the user's now and is refused (tests/robustness/test_hostile_outputs.py)
        (folder / "worksheet-A.pdf").unlink()
    else:
        mine = tmp_path / "templates"
        mine.mkdir()
        (mine / "extra.yaml").write_text("id: extra\ntype: short-answer\nask: subject\n"
                                         "select: {values: [entity]}\nprompt: 'In a word: {{ question }}'\n")
        extra = ["--templates", str(mine)]
    capsys.readouterr()
    assert main(["build", str(pack), "--out", str(out), *ONLY, *extra]) == 0
    assert "up to date" not in capsys.readouterr().out
    clean = tmp_path / "clean"
    shutil.copytree(folder, clean / "chemistry")  # the Anki deck reads its previous copy, as a rebuild would
    for name in ("worksheet-A.pdf", "answer-key-A.pdf", "questions.json"):
        (clean / "chemistry" / name).unlink()
    assert main(["build", str(pack), "--out", str(clean), *ONLY, *extra]) == 0
    assert digests(folder) == digests(clean / "chemistry")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert len(manifest["inputs"]) == 64


def test_the_fingerprint_covers_every_file_of_the_pack(tmp_path: Path):
    from quizgen.build.manifest import input_fingerprint
    from quizgen.build.options import BuildOptions

    folder = write_pack(tmp_path / "rivers", MINIMAL_PACK)
    options = BuildOptions(pack=folder)
    first = input_fingerprint(options)
    (folder / "sources" / "notes.txt").write_text("changed\n")
    assert input_fingerprint(options) != first


def test_unchanged_documents_come_from_the_render_cache_and_stale_entries_go(pack: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert main(["build", str(pack), "--out", str(out), *ONLY]) == 0
    cache = out / ".quizgen-cache"
    entries = {p.name: p.stat().st_mtime_ns for p in cache.iterdir() if p.is_file()}
    assert len([n for n in entries if n.endswith(".json")]) == 2  # the worksheets and the keys
    before = digests(out / "chemistry")
    # the pack's description is in no page: every document is taken from the cache, unchanged
    (pack / "pack.yaml").write_text((pack / "pack.yaml").read_text().replace("Test pack", "A test pack"))
    assert main(["build", str(pack), "--out", str(out), *ONLY]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir() if p.is_file()} == entries
    assert digests(out / "chemistry") == {**before, "manifest.json": digests(out / "chemistry")["manifest.json"]}
    # another seed makes other documents: the old entries are dropped, so the cache holds one build
    assert main(["build", str(pack), "--out", str(out), *ONLY, "--seed", "5"]) == 0
    # (the export entries of formats that read only the study deck, which the seed does not change, stay:
    # tests/test_build_export_cache.py)
    assert not {n for n in entries if not n.endswith(".export")} & {p.name for p in cache.iterdir()}
    assert len([p for p in cache.iterdir() if p.suffix == ".json"]) == 2


def test_an_output_changed_in_place_is_never_given_back_by_the_render_cache(pack: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert main(["build", str(pack), "--out", str(out), *ONLY, "--versions", "3"]) == 0
    built = out / "chemistry"
    before = digests(built)
    # the PDFs were linked into place from the workers' spool, which is gone, and share their file with the cache
    assert not [p.name for p in out.iterdir() if ".spool-" in p.name]
    worksheet = built / "worksheet-B.pdf"
    assert worksheet.stat().st_nlink == 2
    moved = tmp_path / "moved"
    built.rename(moved)
    with open(moved / "worksheet-B.pdf", "r+b") as stream:  # a reader that saves in place
        stream.seek(100)
        stream.write(b"annotated")
    assert main(["build", str(pack), "--out", str(out), *ONLY, "--versions", "3"]) == 0
    assert digests(built) == before
    # an unchanged document from the cache is a file of its own, not one with the copy moved away
    assert not os.path.samefile(built / "answer-key-A.pdf", moved / "answer-key-A.pdf")


def test_the_layouts_compiled_code_is_kept_and_a_damaged_copy_only_costs_time(pack: Path, tmp_path: Path,
                                                                             private_cache_folder: Path):
    out = tmp_path / "out"
    assert main(["build", str(pack), "--out", str(out), *ONLY]) == 0
    assert not list((out / ".quizgen-cache").glob("layouts-*"))  # kept for every build, in the user's cache
    (compiled,) = (private_cache_folder / "quizgen").glob("layouts-*")
    kept = {p.name: p.read_bytes() for p in compiled.iterdir()}
    assert len(kept) >= 3  # the worksheet's and the key's layouts and the ones they import
    before = digests(out / "chemistry")
    for name in kept:  # the next build reads them back, and compiles again what it cannot read
        (compiled / name).write_bytes(kept[name][:40] + b"\x00not code")
    (pack / "pack.yaml").write_text((pack / "pack.yaml").read_text().replace("Test pack", "A test pack"))
    shutil.rmtree(out / "chemistry")
    for entry in (out / ".quizgen-cache").glob("*.export"):  # so the self-test page's layout is read again
        entry.unlink()
    assert main(["build", str(pack), "--out", str(out), *ONLY, "--only", "worksheets,keys"]) == 0
    assert {p.name: p.read_bytes() for p in compiled.iterdir()} == kept
    assert {name: before[name] for name in digests(out / "chemistry") if name.endswith(".pdf")} == \
        {name: digest for name, digest in digests(out / "chemistry").items() if name.endswith(".pdf")}


def test_compiled_layouts_in_a_folder_others_can_write_are_neither_read_nor_written(pack: Path, tmp_path: Path,
                                                                                    private_cache_folder: Path):
    out = tmp_path / "out"
    assert main(["build", str(pack), "--out", str(out), *ONLY, "--only", "worksheets,keys"]) == 0
    (compiled,) = (private_cache_folder / "quizgen").glob("layouts-*")
    assert compiled.stat().st_mode & 0o777 == 0o700
    before = digests(out / "chemistry")
    kept = sorted(p.name for p in compiled.iterdir())
    for path in compiled.iterdir():  # what another user could have put there is never run: code, read as such
        path.write_bytes(b"j2" + b"\x00" * 64)
    compiled.chmod(0o777)
    shutil.rmtree(out)
    assert main(["build", str(pack), "--out", str(out), *ONLY, "--only", "worksheets,keys"]) == 0
    assert sorted(p.name for p in compiled.iterdir()) == kept
    assert all(p.read_bytes() == b"j2" + b"\x00" * 64 for p in compiled.iterdir())  # nor rewritten
    assert {n: d for n, d in digests(out / "chemistry").items() if n.endswith(".pdf")} == \
        {n: d for n, d in before.items() if n.endswith(".pdf")}


def test_compiled_layouts_of_other_code_are_kept_for_the_last_two_and_none_with_the_cache_off(
        pack: Path, tmp_path: Path, private_cache_folder: Path):
    root = private_cache_folder / "quizgen"
    root.mkdir(mode=0o700, parents=True)
    for age, name in enumerate(("layouts-old1", "layouts-old2", "layouts-old3")):  # old1 the most recently used
        (root / name).mkdir(mode=0o700)
        os.utime(root / name, ns=(10**18 - age * 10**9,) * 2)
    main(["build", str(pack), "--out", str(tmp_path / "out"), *ONLY, "--only", "worksheets"])
    kept = sorted(p.name for p in root.glob("layouts-*"))
    assert len(kept) == 3 and "layouts-old1" in kept and "layouts-old2" in kept  # and this code's own
    # with the user's cache off, they are kept beside the build, and nothing is written to the user's cache
    shutil.rmtree(root)
    main(["build", str(pack), "--out", str(tmp_path / "off"), *ONLY, "--only", "worksheets", "--no-cache"])
    assert not root.exists()
    assert len(list((tmp_path / "off" / ".quizgen-cache").glob("layouts-*"))) == 1


def test_a_fact_edit_lays_out_only_its_card_side_and_gives_the_bytes_of_a_clean_build(pack: Path, tmp_path: Path,
                                                                                      private_cache_folder: Path):
    cards = ["--only", "flashcards", "--count", "6"]
    out = tmp_path / "out"
    assert main(["build", str(pack), "--out", str(out), *cards]) == 0
    pieces = private_cache_folder / "quizgen" / PIECES_FOLDER  # the user's store, shared by every build
    stats = pieces / "flashcards.pdf.stats.json"
    first = json.loads(stats.read_text())
    assert first["reused"] == 0 and first["laid_out"] > 10
    facts = pack / "facts.yaml"
    facts.write_text(facts.read_text().replace(
        "  - id: F10\n", '  - id: F10\n    statement: "Marie Curie discovered Polonium, with Pierre Curie."\n'))
    assert main(["build", str(pack), "--out", str(out), *cards]) == 0
    assert json.loads(stats.read_text()) == {"laid_out": 1, "reused": first["laid_out"] - 1}  # that card's back
    # the side it replaced stays, for a build of the text before (an undone edit, another folder's build)
    assert len([p for p in pieces.iterdir() if PIECE_ENTRY.fullmatch(p.name)]) == first["laid_out"] + 1
    built = (out / "chemistry" / "flashcards.pdf").read_bytes()
    assert "with Pierre Curie" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(built)).pages)
    # a build into a new folder takes every side from the user's store; one without it lays every side out
    assert main(["build", str(pack), "--out", str(tmp_path / "new"), *cards]) == 0
    assert json.loads(stats.read_text()) == {"laid_out": 0, "reused": first["laid_out"]}
    assert (tmp_path / "new" / "chemistry" / "flashcards.pdf").read_bytes() == built
    for name, options in (("clean", ["--no-cache"]), ("one-job", ["--no-cache", "--jobs", "1"])):
        assert main(["build", str(pack), "--out", str(tmp_path / name), *cards, *options]) == 0
        own = json.loads((tmp_path / name / ".quizgen-cache" / PIECES_FOLDER / "flashcards.pdf.stats.json").read_text())
        assert own == {"laid_out": first["laid_out"], "reused": 0}, name
        assert (tmp_path / name / "chemistry" / "flashcards.pdf").read_bytes() == built, name


def key_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_fact_edit_lays_out_only_its_pieces_of_the_key_and_gives_the_bytes_of_a_clean_build(
        pack: Path, tmp_path: Path, private_cache_folder: Path):
    keys = ["--only", "worksheets,keys", "--count", "6"]
    out = tmp_path / "out"
    assert main(["build", str(pack), "--out", str(out), *keys]) == 0
    stats = private_cache_folder / "quizgen" / PIECES_FOLDER / "answer-key-A.pdf.stats.json"
    first = json.loads(stats.read_text())
    assert first["reused"] == 0 and first["laid_out"] > 10
    facts = pack / "facts.yaml"
    for n in range(1, 30):  # the first fact whose statement the key prints (as an explanation)
        marker, before = f"  - id: F{n}\n", facts.read_text()
        if marker not in before:
            continue
        facts.write_text(before.replace(marker, f'{marker}    statement: "An edited statement of F{n}."\n'))
        assert main(["build", str(pack), "--out", str(out), *keys]) == 0
        built = (out / "chemistry" / "answer-key-A.pdf").read_bytes()
        if f"An edited statement of F{n}" in key_text(built):
            break
        facts.write_text(before)
    else:
        pytest.fail("no fact's statement is on the key")
    laid = json.loads(stats.read_text())
    assert 1 <= laid["laid_out"] <= 2 and laid["reused"] >= first["laid_out"] - 2  # that entry's pieces, no other
    for name, options in (("clean", ["--no-cache"]), ("one-job", ["--no-cache", "--jobs", "1"])):
        assert main(["build", str(pack), "--out", str(tmp_path / name), *keys, *options]) == 0
        assert (tmp_path / name / "chemistry" / "answer-key-A.pdf").read_bytes() == built, name



def test_quizgens_code_and_the_pdf_libraries_are_in_the_key_of_every_cached_pdf_and_piece(tmp_path: Path,
                                                                                          monkeypatch):
    """An upgrade of quizgen or of the libraries that write the PDFs changes no document's HTML: without them in
    the key (which the piece store's keys take in too), a rebuild would serve what the old code made."""
    from quizgen.build import cache

    asked: list[tuple[str, ...]] = []

    def fingerprint(libraries: tuple[str, ...] = ()) -> str:
        asked.append(tuple(libraries))
        return "the code as it is"

    def resources() -> str:
        return cache.RenderCache(tmp_path, layout_folders=(), content_folders=()).resources

    monkeypatch.setattr(cache, "code_fingerprint", fingerprint)
    before = resources()
    assert {"pikepdf", "fontTools"} <= set(asked[0])
    monkeypatch.setattr(cache, "code_fingerprint", lambda libraries=(): "the code after an upgrade")
    assert resources() != before


def test_the_users_piece_store_loses_the_entries_used_longest_ago_never_this_builds(pack: Path, tmp_path: Path,
                                                                                      private_cache_folder: Path,
                                                                                      monkeypatch):
    from quizgen.build import cache

    cards = ["--only", "flashcards", "--count", "6"]
    pieces = private_cache_folder / "quizgen" / PIECES_FOLDER
    assert main(["build", str(pack), "--out", str(tmp_path / "first"), *cards]) == 0
    ours = {p.name for p in pieces.iterdir()}
    used = sum(p.stat().st_size for p in pieces.iterdir())
    old = ([pieces / f"font-{'0' * 16}-OTHER.font"] + [pieces / f"{n:032x}.piece" for n in range(5)]
           + [pieces / "subset-other.pdf_ABCDEF.font"])
    for age, path in enumerate(old):  # entries of other builds (another pack's font first), the first used longest ago
        path.write_bytes(b"x" * (1_000_000 if not path.name.startswith("subset") else 10_000))
        os.utime(path, ns=(10**18 + age * 10**9,) * 2)
    stranger = pieces / "notes.txt"  # not the store's: never removed
    stranger.write_text("mine")
    os.utime(stranger, ns=(10**9,) * 2)
    # over the limit by 3.5 MB less than a quarter of it: the four oldest entries go, down to three quarters
    monkeypatch.setattr(cache, "PIECE_STORE_BYTES", (used + 6_010_000 - 3_500_000) * 4 // 3)
    # the first build checked the store's size: the next check is due once SWEEP_EVERY_NS has passed
    assert main(["build", str(pack), "--out", str(tmp_path / "second"), *cards]) == 0
    assert all(path.exists() for path in old)
    os.utime(pieces / SWEPT, ns=(time.time_ns() - SWEEP_EVERY_NS - 10**9,) * 2)
    assert main(["build", str(pack), "--out", str(tmp_path / "third"), *cards]) == 0
    left = {p.name for p in pieces.iterdir()}
    assert ours <= left and stranger.name in left
    assert [path.name in left for path in old] == [False, False, False, False, True, True, True]
    assert json.loads((pieces / "flashcards.pdf.stats.json").read_text())["laid_out"] == 0


def test_a_piece_store_others_can_write_is_not_used_the_builds_own_folder_is(pack: Path, tmp_path: Path,
                                                                             private_cache_folder: Path):
    """A stored piece is drawn into the output: one another user could have put there is never taken."""
    pieces = private_cache_folder / "quizgen" / PIECES_FOLDER
    pieces.mkdir(parents=True)
    pieces.chmod(0o777)
    out = tmp_path / "out"
    assert main(["build", str(pack), "--out", str(out), "--only", "flashcards", "--count", "6"]) == 0
    assert list(pieces.iterdir()) == []
    own = json.loads((out / ".quizgen-cache" / PIECES_FOLDER / "flashcards.pdf.stats.json").read_text())
    assert own["laid_out"] > 10 and own["reused"] == 0


FONTS = Path("/usr/share/fonts/truetype/dejavu")


@pytest.mark.skipif(not (FONTS / "DejaVuSansMono.ttf").is_file(), reason="needs the DejaVu fonts (fonts-dejavu-core)")
def test_two_layouts_that_name_different_font_files_alike_never_share_a_kept_font(pack: Path, tmp_path: Path):
    """A laid-out font is named by its description, not its file: kept under the same name for two packs' layouts,
    one would draw the other's cards with its font."""
    cards = ["--only", "flashcards", "--count", "6"]
    built = {}
    for name, file in (("serif", "DejaVuSerif.ttf"), ("mono", "DejaVuSansMono.ttf")):
        folder = tmp_path / f"layouts-{name}"
        folder.mkdir()
        shutil.copy(FONTS / file, folder / "face.ttf")
        (folder / "quizgen.css").write_text(
            (ROOT / "templates" / "layouts" / "quizgen.css").read_text(encoding="utf-8")
            + '@font-face { font-family: "Quiz Face"; src: url(face.ttf) }\nbody { font-family: "Quiz Face" }\n',
            encoding="utf-8")
        built[name] = folder
    outputs = {}
    for run, name in enumerate(("serif", "mono", "serif")):
        out = tmp_path / f"out-{run}"
        assert main(["build", str(pack), "--out", str(out), *cards, "--layouts", str(built[name])]) == 0
        outputs[run] = (out / "chemistry" / "flashcards.pdf").read_bytes()
    assert main(["build", str(pack), "--out", str(tmp_path / "alone"), *cards, "--layouts", str(built["serif"]),
                 "--no-cache"]) == 0
    alone = (tmp_path / "alone" / "chemistry" / "flashcards.pdf").read_bytes()
    assert outputs[0] == outputs[2] == alone != outputs[1]  # the third build draws with the first one's font


def test_an_upgrade_of_the_libraries_that_lay_text_out_changes_every_pieces_key(tmp_path: Path, monkeypatch):
    """Pieces are kept across builds and folders: a new Pango or HarfBuzz that moves a line break must not be served
    the drawing the old one made."""
    from quizgen.render import piece_store, weasy

    library = tmp_path / "libharfbuzz.so.0"
    library.write_bytes(b"one")
    listing = f"\tlibharfbuzz.so.0 (libc6,x86-64) => {library}\n\tlibother.so.1 (libc6,x86-64) => /nowhere\n"
    monkeypatch.setattr(weasy, "library_cache_listing", lambda: listing.encode())
    try:
        piece_store.fonts_fingerprint.cache_clear()
        before = piece_store.fonts_fingerprint()
        piece_store.fonts_fingerprint.cache_clear()
        assert piece_store.fonts_fingerprint() == before
        library.write_bytes(b"the upgrade")
        piece_store.fonts_fingerprint.cache_clear()
        assert piece_store.fonts_fingerprint() != before
    finally:
        piece_store.fonts_fingerprint.cache_clear()
