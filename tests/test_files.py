"""Files in and out (files.py) on a real file system: whole files or none, and a stranger's folder read
without leaving it, blocking on a special file or reading without end."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quizgen.errors import QuizgenError
from quizgen.files import (WrittenFile, file_sha256, folder_fingerprint, linked, read_contributed, read_regular_file,
                           remove_stale_staging, replace_all, special_file_kind, spool_folder, write_atomically,
                           write_cache_entry)


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(QuizgenError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


def test_an_atomic_write_replaces_the_file_whole_and_leaves_no_part_file(here):
    target = here / "out" / "gift.txt"
    write_atomically(target, b"first")
    write_atomically(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["gift.txt"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # not mkstemp's private 0600


def test_an_atomic_write_where_nothing_can_be_written_is_one_error(here):
    (here / "blocked").write_text("a file, not a folder", encoding="utf-8")
    message = error_of(write_atomically, here / "blocked" / "gift.txt", b"x")
    assert message.startswith("blocked/gift.txt: cannot write here")


def test_replace_all_writes_every_file_and_clears_staging_left_by_a_dead_build(here):
    stale = here / f".build.staging-{2 ** 22 + 12345}"  # above any pid this machine hands out
    stale.mkdir()
    (stale / "half.pdf").write_bytes(b"%PDF")
    replace_all(here / "build", {"a.txt": b"A", "b.txt": b"B"})
    assert {p.name: p.read_bytes() for p in (here / "build").iterdir()} == {"a.txt": b"A", "b.txt": b"B"}
    assert sorted(p.name for p in here.iterdir()) == ["build"]


def test_replace_all_replaces_a_previous_set_whole_with_new_files_permissions(here):
    replace_all(here / "build", {"a.txt": b"old A", "b.txt": b"old B"})
    replace_all(here / "build", {"a.txt": b"new A", "c.txt": b"new C"})
    written = {p.name: p.read_bytes() for p in (here / "build").iterdir()}
    assert written == {"a.txt": b"new A", "b.txt": b"old B", "c.txt": b"new C"}  # what else is there is the owner's
    umask = os.umask(0o022)
    os.umask(umask)
    assert {stat.S_IMODE((here / "build" / name).stat().st_mode) for name in written} == {0o666 & ~umask}
    assert sorted(p.name for p in here.iterdir()) == ["build"]


def test_replace_all_writes_more_files_than_a_process_may_hold_open(here):
    """A school set is a thousand files: they are synced together at the end, never all held open at once."""
    probe = ("import resource, sys; from pathlib import Path; from quizgen.files import replace_all; "
             "resource.setrlimit(resource.RLIMIT_NOFILE, (64, resource.getrlimit(resource.RLIMIT_NOFILE)[1])); "
             "replace_all(Path(sys.argv[1]), {f'v{n}.pdf': b'%PDF' * n for n in range(300)})")
    subprocess.run([sys.executable, "-c", probe, str(here / "build")], check=True, capture_output=True)
    assert len(list((here / "build").iterdir())) == 300
    assert (here / "build" / "v299.pdf").read_bytes() == b"%PDF" * 299


def test_staging_of_a_build_still_running_is_left_alone(here):
    alive = here / f".build.staging-{os.getpid()}"
    alive.mkdir()
    remove_stale_staging(here / "build")
    assert alive.is_dir()


def test_a_file_already_written_is_linked_into_place_not_copied(here):
    spool = here / "spool"
    spool.mkdir()
    written = WrittenFile.of(spool / "v1.pdf", b"%PDF one")
    assert (written.size, written.sha256) == (8, hashlib.sha256(b"%PDF one").hexdigest())
    replace_all(here / "build", {"v1.pdf": written, "manifest.json": b"{}"})
    assert (here / "build" / "v1.pdf").read_bytes() == b"%PDF one"
    assert os.path.samefile(here / "build" / "v1.pdf", spool / "v1.pdf")
    write_cache_entry(here / "entry.pdf", written)
    assert os.path.samefile(here / "entry.pdf", spool / "v1.pdf")
    assert sorted(p.name for p in here.iterdir()) == ["build", "entry.pdf", "spool"]


def test_where_no_hard_link_can_be_made_the_file_is_copied(here, monkeypatch):
    def refused(source, target):  # as on a FAT memory stick, or across two file systems
        raise PermissionError(1, "Operation not permitted")

    written = WrittenFile.of(here / "v1.pdf", b"%PDF one")
    monkeypatch.setattr(os, "link", refused)
    replace_all(here / "build", {"v1.pdf": written})
    assert (here / "build" / "v1.pdf").read_bytes() == b"%PDF one"
    assert not os.path.samefile(here / "build" / "v1.pdf", here / "v1.pdf")


def test_a_link_never_writes_over_a_name_already_there(here):
    (here / "source").write_bytes(b"new")
    (here / "shared").write_bytes(b"kept")
    os.link(here / "shared", here / "target")  # a copy over `target` would change `shared` too
    with pytest.raises(FileExistsError):
        linked(here / "source", here / "target")
    assert (here / "shared").read_bytes() == b"kept"


def test_a_file_already_there_is_never_written_into_nor_a_link_put_in_its_place(here):
    (here / "theirs.txt").write_bytes(b"kept")
    (here / "spool").mkdir()
    os.symlink(here / "theirs.txt", here / "spool" / "v1.pdf")
    with pytest.raises(FileExistsError):
        WrittenFile.of(here / "spool" / "v1.pdf", b"%PDF")
    assert (here / "theirs.txt").read_bytes() == b"kept"


def test_staging_a_killed_run_with_this_pid_left_is_cleared_not_written_into(here):
    replace_all(here / "build", {"a.pdf": b"first"})
    staging = here / f".build.staging-{os.getpid()}"  # as a killed run of a process with this pid left it
    staging.mkdir()
    os.link(here / "build" / "a.pdf", staging / "a.pdf")  # sharing its file with the output in place
    os.link(here / "build" / "a.pdf", here / "moved-away.pdf")  # and with a copy the user keeps
    replace_all(here / "build", {"a.pdf": b"second"})
    assert (here / "build" / "a.pdf").read_bytes() == b"second"
    assert (here / "moved-away.pdf").read_bytes() == b"first"
    assert not staging.exists()


def test_a_spool_folder_is_beside_the_folder_and_goes_with_the_folders_made_for_it(here):
    with spool_folder(here / "out" / "class" / "pack") as spool:
        assert spool.parent == here / "out" / "class" and spool.name.startswith(f".pack.spool-{os.getpid()}-")
        assert stat.S_IMODE(spool.stat().st_mode) == 0o700
        (spool / "v1.pdf").write_bytes(b"%PDF")
    assert list(here.iterdir()) == []  # a build that wrote nothing leaves no empty output folder
    (here / "out").mkdir()
    with spool_folder(here / "out" / "pack") as spool:
        replace_all(here / "out" / "pack", {"v1.pdf": WrittenFile.of(spool / "v1.pdf", b"%PDF")})
    assert sorted(p.name for p in (here / "out").iterdir()) == ["pack"]
    stale = here / "out" / f".pack.spool-{2 ** 22 + 12345}-x1y2"  # of a build that was killed
    stale.mkdir()
    remove_stale_staging(here / "out" / "pack")
    assert not stale.exists()


def test_a_contributed_file_is_read_when_inside_its_folder(here):
    (here / "layouts").mkdir()
    (here / "layouts" / "sheet.css").write_text("p { color: red }", encoding="utf-8")
    assert read_contributed(here / "layouts" / "sheet.css", here / "layouts", limit=100) == b"p { color: red }"


def test_a_contributed_file_is_refused_through_a_link_out_of_its_folder_or_a_second_hard_link(here):
    (here / "layouts").mkdir()
    (here / "secret.txt").write_text("x", encoding="utf-8")
    os.symlink(here / "secret.txt", here / "layouts" / "sheet.css")
    assert error_of(read_contributed, here / "layouts" / "sheet.css", here / "layouts", limit=100,
                    what="layout").endswith(":1:1: this layout leads outside its folder layouts (a symbolic link?); "
                                            "expected a file inside it")
    os.link(here / "secret.txt", here / "layouts" / "linked.css")
    assert "has 2 hard links" in error_of(read_contributed, here / "layouts" / "linked.css", here / "layouts",
                                          limit=100)


def test_a_fifo_is_refused_without_blocking_and_a_large_file_by_its_size(here):
    os.mkfifo(here / "pipe.yaml")
    assert special_file_kind(here / "pipe.yaml") == "a FIFO"
    assert "is not a regular file (a FIFO, socket or device)" in error_of(read_regular_file, here / "pipe.yaml",
                                                                          limit=10)
    (here / "big.yaml").write_bytes(b"x" * 11)
    assert error_of(read_regular_file, here / "big.yaml", limit=10, what="YAML file") == \
        "big.yaml:1:1: this YAML file is 11 bytes; expected at most 10"
    assert special_file_kind(here / "big.yaml") == "" and special_file_kind(here) == "a folder"


def test_a_folder_fingerprint_changes_with_content_and_skips_links_and_what_keep_refuses(here):
    (here / "pack").mkdir()
    (here / "pack" / "facts.yaml").write_text("a: 1\n", encoding="utf-8")
    (here / "pack" / "notes.bak").write_text("ignored", encoding="utf-8")

    def fingerprint() -> str:
        digest = hashlib.sha256()
        folder_fingerprint(digest, 0, here / "pack", lambda path: path.suffix != ".bak")
        return digest.hexdigest()

    before = fingerprint()
    (here / "pack" / "notes.bak").write_text("changed", encoding="utf-8")
    os.symlink(here / "pack" / "facts.yaml", here / "pack" / "link.yaml")
    assert fingerprint() == before
    (here / "pack" / "facts.yaml").write_text("a: 2\n", encoding="utf-8")
    assert fingerprint() != before
    assert file_sha256(here / "pack" / "facts.yaml") == hashlib.sha256(b"a: 2\n").hexdigest()
    assert file_sha256(here / "pack" / "link.yaml") is None
    (here / "elsewhere").mkdir()
    (here / "elsewhere" / "more.yaml").write_text("b: 1\n", encoding="utf-8")
    os.symlink(here / "elsewhere", here / "pack" / "linked")  # a link to a folder is not followed
    (here / "pack" / "sub").mkdir()
    after = fingerprint()
    assert after == fingerprint()
    (here / "elsewhere" / "more.yaml").write_text("b: 2\n", encoding="utf-8")
    assert fingerprint() == after
    (here / "pack" / "sub" / "facts-2.yaml").write_text("c: 1\n", encoding="utf-8")
    assert fingerprint() != after


def test_a_files_hash_is_kept_for_the_process_only_once_its_times_have_settled(here):
    from types import SimpleNamespace

    from quizgen import files

    facts = here / "facts.yaml"

    def digest_with(stamps_ns: int) -> str | None:
        info = SimpleNamespace(st_dev=1, st_ino=2, st_size=5, st_mtime_ns=stamps_ns, st_ctime_ns=stamps_ns)
        return files._read_digest(facts, info)

    just_now, long_ago = time.time_ns(), time.time_ns() - 60 * 10**9
    for stamps, kept in ((just_now, False), (long_ago, True)):
        facts.write_text("a: 1\n", encoding="utf-8")
        assert digest_with(stamps) == hashlib.sha256(b"a: 1\n").hexdigest()
        # a second change the file system's times do not show (as within one step of a coarse clock)
        facts.write_text("a: 2\n", encoding="utf-8")
        expected = b"a: 1\n" if kept else b"a: 2\n"
        assert digest_with(stamps) == hashlib.sha256(expected).hexdigest()


def test_syncing_several_files_syncs_each_once_and_raises_the_first_files_failure(here, monkeypatch):
    from quizgen import files

    written = []
    for n in range(7):
        written.append(here / f"file-{n}.pdf")
        written[-1].write_bytes(b"%PDF" * n)
    synced: list[str] = []
    fsync = os.fsync

    def counted(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        fsync(descriptor)

    monkeypatch.setattr(os, "fsync", counted)
    files.sync_files(written)
    assert sorted(synced) == sorted(str(p.resolve()) for p in written)

    def failing(path: Path) -> None:
        if path.name in ("file-2.pdf", "file-5.pdf"):
            raise RuntimeError(f"{path.name} could not be synced")
        synced.append(path.name)

    synced.clear()
    monkeypatch.setattr(files, "_sync_file", failing)
    with pytest.raises(RuntimeError, match="file-2.pdf"):  # whichever thread failed first
        files.sync_files(written)
    assert sorted(synced) == [f"file-{n}.pdf" for n in (0, 1, 3, 4, 6)]  # the others synced all the same
