"""The user's piece store, tidied: entries used longest ago go once it outgrows its bound, its size checked at
most every SWEEP_EVERY_NS by the time of a stamp; a stamp from the future (a clock set back) never stops it. The
installed fonts' fingerprint, under every piece's key, changes with any font file or folder."""

from __future__ import annotations

import os
import time
from pathlib import Path

from quizgen.files import STALE_PART_SECONDS
from quizgen.render import piece_store
from quizgen.render.piece_store import SWEEP_EVERY_NS, SWEPT, keep_within


def store_of(folder: Path, count: int, size: int) -> list[Path]:
    """`count` piece entries of `size` bytes, the first used longest ago."""
    folder.mkdir()
    entries = [folder / f"{n:032x}.piece" for n in range(count)]
    for age, path in enumerate(entries):
        path.write_bytes(b"x" * size)
        os.utime(path, ns=(10**18 + age * 10**9,) * 2)
    return entries


def test_the_size_is_checked_once_per_sweep_period_and_the_oldest_entries_go(tmp_path: Path):
    entries = store_of(tmp_path / "pieces", 8, 1000)
    keep_within(tmp_path / "pieces", {"%032x" % 0}, set(), 6000)  # no stamp yet: checked now
    left = [path.exists() for path in entries]
    assert left == [True, False, False, False, False, True, True, True]  # down to 3/4 of 6000; the used one stays
    for n in range(8, 12):
        (tmp_path / "pieces" / f"{n:032x}.piece").write_bytes(b"x" * 1000)
    keep_within(tmp_path / "pieces", set(), set(), 6000)  # checked a moment ago: nothing goes yet
    assert len(list((tmp_path / "pieces").glob("*.piece"))) == 8


def test_a_stamp_from_the_future_counts_as_old(tmp_path: Path):
    entries = store_of(tmp_path / "pieces", 8, 1000)
    stamp = tmp_path / "pieces" / SWEPT
    stamp.touch()
    os.utime(stamp, ns=(time.time_ns() + 24 * 3600 * 10**9,) * 2)  # a day ahead: the clock was set back since
    keep_within(tmp_path / "pieces", set(), set(), 6000)
    assert not entries[0].exists() and entries[-1].exists()
    assert stamp.stat().st_mtime_ns <= time.time_ns()


def test_a_used_entry_is_marked_again_only_once_its_mark_is_old(tmp_path: Path):
    (used,) = store_of(tmp_path / "pieces", 1, 10)
    key = used.name.removesuffix(".piece")
    keep_within(tmp_path / "pieces", {key}, set(), 10**9)
    marked = used.stat().st_mtime_ns
    assert time.time_ns() - marked < SWEEP_EVERY_NS  # an old mark, made new
    os.utime(used, ns=(marked - 10**9,) * 2)  # a second older: within the hour, left as it is
    keep_within(tmp_path / "pieces", {key}, set(), 10**9)
    assert used.stat().st_mtime_ns == marked - 10**9


def test_a_sweep_removes_the_parts_of_writes_cut_short_and_leaves_those_under_way(tmp_path: Path):
    """A render worker killed while writing an entry leaves its part: the next check of the store's size removes it
    once it is an hour old (files.stale_part), never a part being written now."""
    store_of(tmp_path / "pieces", 1, 10)
    cut_short, under_way = tmp_path / "pieces" / f".{'a' * 32}.piece.123.part", tmp_path / "pieces" / ".b.piece.4.part"
    for part in (cut_short, under_way):
        part.write_bytes(b"half")
    os.utime(cut_short, (time.time() - STALE_PART_SECONDS - 60,) * 2)
    keep_within(tmp_path / "pieces", set(), set(), 10**9)
    assert not cut_short.exists() and under_way.exists()


def test_the_fonts_fingerprint_changes_with_any_font_file_or_folder_and_only_then(tmp_path: Path, monkeypatch):
    fonts, configuration = tmp_path / "fonts", tmp_path / "fontconfig"
    (fonts / "truetype" / "noto").mkdir(parents=True)
    configuration.mkdir()
    (fonts / "truetype" / "noto" / "NotoSans-Regular.ttf").write_bytes(b"glyphs")
    (configuration / "fonts.conf").write_text("<fontconfig/>", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "Unseen.ttf").write_bytes(b"x")
    (fonts / "linked").symlink_to(elsewhere)  # a link to a folder: stamped itself, never followed
    monkeypatch.setattr(piece_store, "FONT_FOLDERS", (str(fonts), str(tmp_path / "missing")))
    monkeypatch.setattr(piece_store, "FONT_CONFIGURATION", (str(configuration),))

    def fingerprint() -> str:
        piece_store.fonts_fingerprint.cache_clear()
        return piece_store.fonts_fingerprint()

    try:
        first = fingerprint()
        assert fingerprint() == first
        (elsewhere / "Unseen.ttf").write_bytes(b"changed, in a folder the link leads to")
        assert fingerprint() == first
        seen = {first}
        for change in (lambda: (fonts / "truetype" / "noto" / "NotoSans-Bold.ttf").write_bytes(b"bold"),
                       lambda: (fonts / "truetype" / "noto" / "NotoSans-Regular.ttf").write_bytes(b"glyphs, hinted"),
                       lambda: (fonts / "truetype" / "dejavu").mkdir(),
                       lambda: (configuration / "fonts.conf").write_text("<fontconfig><dir/></fontconfig>",
                                                                         encoding="utf-8")):
            change()
            now = fingerprint()
            assert now not in seen
            seen.add(now)
    finally:
        piece_store.fonts_fingerprint.cache_clear()
