"""What a layout may load (files inside the layout and pack folders, small data: URLs, never the network),
and a refused load or a layout that cannot be laid out told as one error at the user's layout line."""

from __future__ import annotations

import base64
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from ..errors import QuizgenError, display_path
from .layouts import Document, user_layout_blame

MAX_DATA_URL_BYTES = 1024 * 1024
MAX_RESOURCE_BYTES = 32 * 1024 * 1024  # an image, font or stylesheet a layout may load
MAX_FETCHES = 1000  # files one document may load, counting each @import again


class RefusedResource(Exception):
    """A layout asked for something it may not have; carries the message shown to the user."""


def resolve_resource(url: str, layout_folders: tuple[Path, ...], content_folders: tuple[Path, ...]) -> Path | bytes:
    """The local file (or data: bytes) that `url` may read; RefusedResource when it may not.

    A file URL inside any layout folder is looked up by its name relative to that folder
    through the whole chain, so a user's folder overrides a built-in stylesheet or image.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return _data_url_bytes(url)
    if scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedResource(f"refused to fetch {url!r}: layouts may not use the network; "
                              "put the file in a layout folder and refer to it by name")
    # urllib.request (and http.client with it, 15 ms) only where a render worker loads a file, not in every build's
    # first process, which reaches this module through the layouts
    from urllib.request import url2pathname

    path = Path(url2pathname(parts.path))  # url2pathname also undoes %-escapes
    if ".." in path.parts:
        raise RefusedResource(f"refused to read {url!r}: '..' may not leave the layout or content folders")
    for folder in layout_folders:
        if path.is_relative_to(folder):
            relative = path.relative_to(folder)
            for candidate_folder in layout_folders:
                candidate = (candidate_folder / relative).resolve()
                if candidate.is_file() and candidate.is_relative_to(candidate_folder):
                    return candidate
                if (candidate_folder / relative).exists() and not candidate.is_relative_to(candidate_folder):
                    raise RefusedResource(f"refused to read {str(relative)!r}: it leads outside the layout folders")
            raise RefusedResource(f"layout file {str(relative)!r} not found in "
                                  + ", ".join(display_path(f) for f in layout_folders))
    resolved = path.resolve()
    for folder in content_folders:
        if resolved.is_relative_to(folder.resolve()) and path.is_relative_to(folder):
            if not resolved.is_file():
                raise RefusedResource(f"file {display_path(resolved)!r} not found")
            return resolved
    raise RefusedResource(f"refused to read {url!r}: layouts may only read files inside the layout folders "
                          "and the pack folder")


def folder_of(path: Path, folders: tuple[Path, ...]) -> Path:
    return next(f for f in folders if path.is_relative_to(f))


def _data_url_bytes(url: str) -> bytes:
    header, _, payload = url.partition(",")
    if len(payload) > MAX_DATA_URL_BYTES * 4 // 3 + 4:
        raise RefusedResource(f"refused a data: URL of {len(payload):,} characters; "
                              f"expected at most {MAX_DATA_URL_BYTES:,} bytes")
    if header.lower().endswith(";base64"):
        return base64.b64decode(payload)
    return unquote_to_bytes(payload)


def data_url_type(url: str) -> str:
    media = url[5:].partition(",")[0].split(";")[0]
    return media or "text/plain"


@dataclass(frozen=True)
class Refusal:
    url: str
    message: str


@contextmanager
def refusals_reported(document: Document, refusals: list[Refusal]) -> Iterator[None]:
    """A refused fetch, and what WeasyPrint raises because of it or of a layout it cannot lay out, as one
    QuizgenError at the user's layout line that asked for it."""
    try:
        yield
    except QuizgenError:
        raise
    except RecursionError:
        if refusals:
            raise refusal_error(document, refusals[0]) from None
        raise QuizgenError.at(user_layout_blame(document.layout_folders, document.layout),
                              "elements are nested too deeply to lay out; expected at most a "
                              "few hundred levels", field="layout") from None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # WeasyPrint's fatal fetch error is a BaseException
        if refusals:
            raise refusal_error(document, refusals[0]) from None
        raise QuizgenError.at(user_layout_blame(document.layout_folders, document.layout),
                              f"cannot be laid out: {type(exc).__name__}: {exc}"[:400], field="layout") from None
    if refusals:
        raise refusal_error(document, refusals[0])


def refusal_error(document: Document, refusal: Refusal) -> QuizgenError:
    """The refusal at the first line of the user's layouts that names the refused file, else at the layout."""
    name = unquote(urlsplit(refusal.url).path.rsplit("/", 1)[-1]) if not refusal.url.startswith("data:") else ""
    for folder in document.layout_folders[:-1]:
        for path in sorted(Path(folder).glob("*")):
            if name and path.suffix in (".html", ".css", ".svg") and path.is_file() and not path.is_symlink():
                text = path.read_text(encoding="utf-8", errors="replace")[:MAX_DATA_URL_BYTES]
                at = text.find(name)
                if at >= 0:
                    line = text.count("\n", 0, at) + 1
                    column = at - (text.rfind("\n", 0, at) + 1) + 1
                    return QuizgenError.at(path, refusal.message, line=line, column=column, field="layout")
    return QuizgenError.at(document.layout, refusal.message, field="layout")
