"""What `quizgen build` checks before any work, in a few milliseconds and without the renderer: that the output
folder can be written and lies outside the pack, and whether the last build there is up to date (then nothing
else is done, and no render worker is started)."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from ..errors import QuizgenError, display_path
from ..files import remove_stale_staging
from .manifest import input_fingerprint, up_to_date
from .options import BuildOptions, option_problem


def checked(options: BuildOptions) -> BuildOptions | None:
    """The options with the class list read and the inputs' fingerprint set; None when the last build in the output
    folder came from the same inputs and its files are as it wrote them (which is said, unless --quiet)."""
    check_output_folder(options.out)
    options = options.with_class_list()
    folder = previous_output_folder(options)
    check_outside_pack(options.out, folder, options.pack)
    options = replace(options, inputs=input_fingerprint(options))
    if folder is not None and up_to_date(folder, options.inputs):
        # a build killed while staging left its staging folder, and the outputs as they were: this build writes
        # nothing, which would have cleared it
        remove_stale_staging(folder)
        if not options.quiet:
            print(f"{display_path(folder)} is up to date (nothing changed since the last build)")
        return None
    return options


def check_outside_pack(out: Path, folder: Path | None, pack: Path) -> None:
    """Refuse to build into the pack folder: the outputs would change the pack's fingerprint, so the build would
    never be up to date, and every file in the pack folder is the author's."""
    root = Path(pack).resolve()
    target = Path(folder if folder is not None else out).resolve()
    if target.is_relative_to(root) or Path(out).resolve().is_relative_to(root):
        where = "the pack folder" if target == root else "inside the pack folder"
        raise QuizgenError([option_problem("--out", f"{display_path(out)}: the build would go into "
                                            f"{display_path(folder or out)}, {where} {display_path(pack)}; expected "
                                            "a folder outside the pack (a build there would change the pack it is "
                                            "made from, so it would never be up to date)")])


def check_output_folder(out: Path) -> None:
    """Refuse an --out that is not a folder or cannot be written, before any work is done.

    The check makes and removes a scratch folder in the nearest existing folder, so it proves
    writing works (a read-only mount or /proc refuses it) without leaving anything behind.
    """
    def refuse(message: str) -> QuizgenError:
        return QuizgenError([option_problem("--out", f"{display_path(out)}: {message}")])

    if out.exists() and not out.is_dir():
        raise refuse("is a file; expected a folder to build into (it is made when missing)")
    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise refuse(f"{display_path(existing)} is a file, so no folder can be made inside it; expected a folder")
    try:
        Path(tempfile.mkdtemp(prefix=".quizgen-check-", dir=existing)).rmdir()
    except OSError as exc:
        raise refuse(f"cannot write in {display_path(existing)} ({exc.strerror or exc}); "
                     "expected a folder you can write to") from None


def previous_output_folder(options: BuildOptions) -> Path | None:
    """OUT/<pack-id> as named by the pack file, without loading the whole pack."""
    from ..load.yamlfile import read_yaml

    try:
        pack_id = read_yaml(Path(options.pack) / "pack.yaml").data.get("id")
    except (QuizgenError, AttributeError):
        return None
    return options.out / pack_id if isinstance(pack_id, str) and pack_id else None
