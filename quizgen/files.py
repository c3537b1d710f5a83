"""Files in and out: outputs written so a reader never sees half a file, and a stranger's folder read so that
nothing outside it, no special file and no huge file gets in."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable

from .errors import QuizgenError, display_path

NO_CACHE_VARIABLE = "QUIZGEN_NO_CACHE"  # set to anything but 0 or empty: no cache in the user's folder


def write_atomically(path: Path, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, then rename it over `path` in one step."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise QuizgenError.at(path, f"cannot write here: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600); give it the permissions any new file would get
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except OSError as exc:
        _remove_quietly(temporary)
        raise QuizgenError.at(path, f"cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _remove_quietly(temporary)
        raise
    return path


@dataclass(frozen=True)
class WrittenFile:
    """An output's bytes already in a file of the build's own on the output's file system (a render worker's spool
    file, a render cache entry taken for the build): linked into place with the other outputs, so that a school
    set's thousand PDFs are never read back and written again."""

    path: Path
    size: int
    sha256: str

    @classmethod
    def of(cls, path: Path, data: bytes) -> WrittenFile:
        """`data`, written to `path`, a new file."""
        write_new_file(path, data)
        return cls(path, len(data), hashlib.sha256(data).hexdigest())

    def read(self) -> bytes:
        return self.path.read_bytes()


Contents = bytes | WrittenFile  # an output's bytes, in memory or in a file of the build's own


def _new_file(path: Path, mode: int = 0o666) -> BinaryIO:
    """A file that is not there yet, opened to write: never one that is (which may share its bytes with another
    name), nor one through a link put in its place. Raises OSError."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode), "wb")


def write_new_file(path: Path, data: bytes, mode: int = 0o666) -> None:
    """Write `data` to a new file (_new_file). Raises OSError."""
    with _new_file(path, mode) as stream:
        stream.write(data)


def copied(source: Path, target: Path) -> WrittenFile:
    """`source`'s bytes in a new file `target` (_new_file), hashed as they are copied, in chunks: a school set's
    cached PDFs are never all in memory nor read twice. Raises OSError."""
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as reading, _new_file(target) as writing:
        while chunk := reading.read(CHUNK_BYTES):
            digest.update(chunk)
            writing.write(chunk)
            size += len(chunk)
    return WrittenFile(target, size, digest.hexdigest())


def linked(source: Path, target: Path) -> None:
    """`target` made a second name of `source`; a copy where the two cannot share it (a file system without hard
    links, such as a FAT memory stick, or two file systems). Raises OSError, FileExistsError where `target` is
    there already."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        copied(source, target)


def write_cache_entry(path: Path, data: Contents) -> None:
    """Write a cache's file and rename it into place, without waiting for the disk: a reader sees the old file or
    the new one, never half of one, and an entry lost in a crash only costs time (a class set writes a thousand).
    Raises OSError, with no temporary file left behind."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        temporary.unlink(missing_ok=True)
        if isinstance(data, WrittenFile):
            linked(data.path, temporary)
        else:
            write_new_file(temporary, data)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def replace_all(folder: Path, files: dict[str, Contents]) -> None:
    """Write several files so a reader sees the old set or the new one, hardly ever a mix, and so that what a
    reader sees survives the machine stopping: one durable commit of the folder.

    Every file is first written into a hidden staging folder beside `folder` (same file system, so a rename is
    atomic), or linked there when already written (WrittenFile); then all of them are synced in one pass, and the
    staging folder once; only then are they renamed into place, one quick pass with no writing in between, and
    `folder` is synced once so the renames last. A build
    killed while staging leaves `folder` untouched; the next build clears the stale staging folder.
    """
    folder = Path(folder)
    staging = folder.parent / f".{folder.name}.staging-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(folder)
        # one a killed run with this pid left: its files may share theirs with the outputs, so none is written into
        _remove_tree_quietly(staging)
        staging.mkdir(mode=0o700)
        mode = 0o666 & ~_umask()
        for name, data in files.items():
            if isinstance(data, WrittenFile):
                linked(data.path, staging / name)
            else:
                write_new_file(staging / name, data)
            os.chmod(staging / name, mode)
        sync_files([staging / name for name in files])
        sync_folder(staging)
        for name in files:
            os.replace(staging / name, folder / name)
        sync_folder(folder)
    except OSError as exc:
        raise QuizgenError.at(folder, f"cannot write the outputs: {exc.strerror or exc}") from None
    finally:
        _remove_tree_quietly(staging)


SYNC_THREADS = 4  # fsync waits on the disk with the GIL released: a few at once share the file system's commits


def sync_files(paths: list[Path]) -> None:
    """Make the written contents of `paths` durable: one fsync each, a few at a time, after all were written (a sync
    right after each write would wait for the disk once per file)."""
    if len(paths) <= 1:
        for path in paths:
            _sync_file(path)
        return
    import threading  # plain threads: concurrent.futures costs 4 ms to import, at the very end of a build

    failures: dict[int, BaseException] = {}

    def sync_share(first: int) -> None:
        for number in range(first, len(paths), SYNC_THREADS):
            try:
                _sync_file(paths[number])
            except BaseException as exc:  # raised in the caller's thread, below, whatever it is
                failures[number] = exc

    threads = [threading.Thread(target=sync_share, args=(n,)) for n in range(min(SYNC_THREADS, len(paths)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[min(failures)]  # the first path's, as one file after another would


def _sync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sync_folder(folder: Path) -> None:
    """Make the names in `folder` durable (new files, renames); a no-op where folders cannot be opened (Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems refuse to sync a folder; the files themselves are synced
    finally:
        os.close(descriptor)


def remove_stale_staging(folder: Path) -> None:
    """Staging and spool folders left by builds that were killed (their process no longer exists)."""
    for kind in ("staging", "spool"):
        prefix = f".{folder.name}.{kind}-"
        for stale in folder.parent.glob(f"{prefix}*"):
            pid = stale.name[len(prefix):].split("-", 1)[0]  # .<name>.spool-<pid>-<random>
            if pid.isdigit() and not _process_alive(int(pid)):
                _remove_tree_quietly(stale)


@contextmanager
def spool_folder(folder: Path) -> Iterator[Path]:
    """A private folder beside `folder`, for the files a build makes before it writes its outputs there: on the
    same file system, so that they are linked into place (replace_all), not copied. Removed on the way out, with
    the folders made for it if nothing else was put in them; one a killed build left is removed by the next
    (remove_stale_staging). In the system's temporary folder where none can be made beside `folder`."""
    parent = Path(folder).parent
    missing = [p for p in (parent, *parent.parents) if not p.exists()]
    try:
        parent.mkdir(parents=True, exist_ok=True)
        # a name no one can guess and make first, this user's alone (a worker reads back what another wrote there)
        spool = Path(tempfile.mkdtemp(prefix=f".{Path(folder).name}.spool-{os.getpid()}-", dir=parent))
    except OSError:
        spool = None
    if spool is None:
        with tempfile.TemporaryDirectory(prefix="quizgen-spool-") as elsewhere:
            yield Path(elsewhere)
        return
    try:
        yield spool
    finally:
        _remove_tree_quietly(spool)
        for made in missing:  # the deepest first: a failed build leaves no empty output folder behind
            try:
                made.rmdir()
            except OSError:
                break


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_tree_quietly(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


# ---- reading what a stranger's folder contributes ----------------------------------------------

CHUNK_BYTES = 1024 * 1024
MAX_FINGERPRINT_BYTES = 64 * 1024 * 1024  # larger files are fingerprinted by size and time, not content


def read_contributed(path: Path, root: Path, *, limit: int, what: str = "file") -> bytes:
    """The bytes of `path`, a file that the folder `root` (a pack, template or layout folder) contributes.

    Refused with one QuizgenError: a path that resolves outside `root` (a symbolic link out of it), anything
    but a regular file (a FIFO would block for ever, a device would never end), a file with other hard
    links (one of them may sit outside the folder and the file system cannot say where), and a file over
    `limit` bytes. The file is opened without blocking and read in chunks, so none of these can hang or
    fill memory, even when the file changes between the check and the read.
    """
    path, root = Path(path), Path(root)
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise QuizgenError.at(path, f"this {what} leads outside its folder {display_path(root)} "
                                    "(a symbolic link?); expected a file inside it", line=1, column=1)
    return read_regular_file(path, limit=limit, what=what, opened=resolved, single_link=True)


def read_regular_file(path: Path, *, limit: int, what: str = "file", opened: Path | None = None,
                      single_link: bool = False) -> bytes:
    """The bytes of `path` (or of `opened`, what it resolves to), which must be a regular file of at most
    `limit` bytes: a FIFO would block for ever and a device (a link to /dev/zero) would never end, so both are
    refused before a byte is read, in one QuizgenError. With `single_link`, a file with other hard links is
    refused too. A symbolic link is followed, unless `opened` is given (then it must not be one)."""
    path = Path(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | (getattr(os, "O_NOFOLLOW", 0) if opened is not None else 0)
    try:
        descriptor = os.open(opened if opened is not None else path, flags)
    except OSError as exc:
        raise QuizgenError.at(path, f"cannot read this {what}: {exc.strerror or exc}") from None
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise QuizgenError.at(path, f"this {what} is not a regular file (a FIFO, socket or device); "
                                        "expected a plain file", line=1, column=1)
        if single_link and info.st_nlink > 1:
            raise QuizgenError.at(path, f"this {what} has {info.st_nlink} hard links; a hard link may lead to "
                                        "a file outside the folder, so expected a plain copy", line=1, column=1)
        if info.st_size > limit:
            raise QuizgenError.at(path, f"this {what} is {info.st_size:,} bytes; expected at most {limit:,}",
                                  line=1, column=1)
        data = _read_at_most(stream, limit)
    if data is None:
        raise QuizgenError.at(path, f"this {what} grew past {limit:,} bytes while being read", line=1, column=1)
    return data


def special_file_kind(path: Path) -> str:
    """'' for a regular file (a symbolic link is followed) or a missing one; else what it is: 'a FIFO', 'a
    folder', 'a device'… Looked up without opening, which for a FIFO would block until a writer comes."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return ""
    if stat.S_ISREG(mode):
        return ""
    return ("a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else
            "a socket" if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a special file")


def _read_at_most(stream: BinaryIO, limit: int) -> bytes | None:
    chunks, total = [], 0
    while chunk := stream.read(min(CHUNK_BYTES, limit + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            return None
    return b"".join(chunks)


def file_sha256(path: Path) -> str | None:
    """The hash of a regular file (not a symbolic link), read in chunks; None when it is anything else."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    digest = hashlib.sha256()
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return None
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def folder_fingerprint(digest: "hashlib._Hash", number: int, folder: Path, keep: Callable[[Path], bool]) -> None:
    """Feed every regular file under `folder` (symbolic links and special files skipped, links to folders not
    followed) into `digest`.

    Contents are read in chunks; a file over MAX_FINGERPRINT_BYTES (a stray video, say) is represented by its
    size and modification time, so a huge file costs no memory and little time.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return
    for relative in sorted(_relative_paths(str(folder))):
        path = folder.joinpath(*relative)
        try:
            info = path.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or not keep(path):
            continue
        digest.update(f"{number}:{'/'.join(relative)}:{info.st_size}:".encode())
        if info.st_size > MAX_FINGERPRINT_BYTES:
            digest.update(f"{info.st_mtime_ns}".encode())
        else:
            digest.update((_read_digest(path, info) or "").encode())


def _relative_paths(root: str) -> list[tuple[str, ...]]:
    """Every file under `root` as its path's parts below it (os.walk: a third of Path.rglob's time)."""
    found = []
    for where, _, names in os.walk(root):
        below = () if where == root else tuple(os.path.relpath(where, root).split(os.sep))
        found.extend((*below, name) for name in names)
    return found


_DIGESTS: dict[tuple, str | None] = {}  # a file's hash by its identity and stamps, for this process
_DIGESTS_KEPT = 8192
SETTLED_NS = 3 * 10**9  # a file's times are trusted to show a change once it is this old: FAT keeps 2 s steps


def _read_digest(path: Path, info: os.stat_result) -> str | None:
    """file_sha256 of `path`, read once per process while its inode, size and times stay the same: a build hashes
    the pack, the templates and quizgen's sources for its inputs, its pool and its caches. A file changed in the
    last few seconds is always read, as git does with its index: a file system whose times have coarse steps could
    show a second change within one step with the times of the first."""
    if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) < SETTLED_NS:
        return file_sha256(path)
    key = (str(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    if key not in _DIGESTS:
        if len(_DIGESTS) >= _DIGESTS_KEPT:
            _DIGESTS.clear()
        _DIGESTS[key] = file_sha256(path)
    return _DIGESTS[key]


def caching_enabled(no_cache: bool = False) -> bool:
    """Whether to use the cache: not with `--no-cache`, nor with QUIZGEN_NO_CACHE set to anything but 0 or empty."""
    return not no_cache and os.environ.get(NO_CACHE_VARIABLE, "") in ("", "0")


def user_cache_folder() -> Path | None:
    """$XDG_CACHE_HOME/quizgen, else ~/.cache/quizgen; None when there is no home to hold it."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    if configured and Path(configured).is_absolute():  # the XDG rule: a relative path is ignored
        return Path(configured) / "quizgen"
    try:
        return Path.home() / ".cache" / "quizgen"
    except (RuntimeError, KeyError):
        return None


def write_private_entry(path: Path, data: bytes) -> None:
    """Write a cache entry only this user may read (0600) and rename it into place: a reader sees the old entry or
    the new one, never half of one. Raises OSError, with no temporary file left behind."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        _remove_quietly(temporary)
        raise


STALE_PART_SECONDS = 3600  # a part this old was left by a write that was cut short, not one under way


def keep_newest(folder: Path, keep: int, suffix: str) -> None:
    """Of the entries named `*suffix` in `folder`, remove all but the `keep` most recently used (and parts left by a
    write that was cut short)."""
    entries = []
    for path in folder.iterdir():
        try:
            info = path.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        if path.suffix == suffix:
            entries.append((info.st_mtime_ns, path))
        elif stale_part(path, info):
            path.unlink(missing_ok=True)
    for _, path in sorted(entries, reverse=True)[keep:]:
        path.unlink(missing_ok=True)


def stale_part(path: Path, info: os.stat_result) -> bool:
    """Whether `path` is the temporary file of a cache write (write_cache_entry, write_private_entry) that was cut
    short: a process killed half-way leaves it, and only the next tidying of its folder removes it."""
    return path.name.startswith(".") and path.suffix == ".part" and time.time() - info.st_mtime > STALE_PART_SECONDS


def remove_stale_parts(folder: Path) -> None:
    """Remove the parts of cache writes in `folder` that were cut short (stale_part); nothing else there."""
    for path in folder.glob(".*.part") if folder.is_dir() else ():
        try:
            info = path.lstat()
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and stale_part(path, info):
            path.unlink(missing_ok=True)


def private_folder(folder: Path) -> bool:
    """Whether the folder is this user's own and no one else can write into it (where cached pools and compiled
    layouts, which are code, may be read)."""
    try:
        info = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and owned_by_this_user(info) and not info.st_mode & 0o022


def read_own_file(path: Path) -> bytes | None:
    """The bytes of a regular file this user owns and only this user can write, not followed through a link."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or not owned_by_this_user(info) or info.st_mode & 0o022:
            return None
        try:
            return stream.read()
        except OSError:
            return None


def owned_by_this_user(info: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def newest_kept(folder: Path, keep: int) -> Path:
    """`folder`, marked as used now; of the folders beside it named as it is up to its last hyphen, all but the
    `keep` most recently used are removed (this user's own only)."""
    try:
        os.utime(folder)
    except OSError:
        pass  # not made yet: the first build with this code makes it
    prefix = folder.name.rsplit("-", 1)[0] + "-"
    others = []
    try:
        for path in folder.parent.iterdir():
            if path.name.startswith(prefix) and path != folder and private_folder(path):
                others.append((path.lstat().st_mtime_ns, path))
    except OSError:  # gone meanwhile (another run tidying up too), or never there: nothing to remove
        return folder
    for _, old in sorted(others, reverse=True)[keep - 1:]:
        shutil.rmtree(old, ignore_errors=True)
    return folder


def read_kept(entry: Path) -> Any | None:
    """The value kept in `entry`, a pickle this user's quizgen wrote into a private cache folder (write_kept),
    marked as used now so that it outlives older entries; None for a miss: no entry, a folder or file someone else
    could have written, a link, or a torn or foreign file."""
    if not private_folder(entry.parent):
        return None
    data = read_own_file(entry)
    if data is None:
        return None
    try:
        # Pickle runs code named in the file: only ever read here, from a file this user's quizgen wrote (its owner
        # and mode checked) in this user's private cache folder, never from a pack or a download.
        value = pickle.loads(data)
    except Exception:  # a torn or foreign file can fail in any way unpickling does: it is only a miss
        return None
    try:
        os.utime(entry)
    except OSError:
        pass
    return value


def write_kept(entry: Path, value: Any, *, limit: int | None = None) -> bool:
    """Keep `value` in `entry` (for read_kept), its folder made private if need be; whether it was written: not
    when the folder is not this user's alone, the value cannot be pickled or is larger than `limit` bytes, or the
    disk refuses (a cache that cannot be written only costs time)."""
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not private_folder(entry.parent):
            return False
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        if limit is not None and len(data) > limit:
            return False
        write_private_entry(entry, data)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return False
    return True
