"""`quizgen serve`: a live preview for authors on 127.0.0.1: the pool as `review --text` prints it, a worksheet and a
card sheet as the build lays them out, and every check and lint problem at its file:line; the page shows the change
well within a second of saving a pack file, template or layout.

The standard library's http.server is enough for one author's browser. Its threads only hand out the preview last
made (a request for the stamp waits for the next one); the main thread watches the files and makes again what a save
touched, so the bounded workers the renders run in (sandbox.py, as in `build`) are forked from the main thread,
whose end they follow.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice
from pathlib import Path
from urllib.parse import parse_qs

from .. import sandbox
from ..errors import QuizgenError, display_path
from ..model import Pack, QuestionSet
from ..render.layouts import BUILTIN_LAYOUTS, Layouts, user_layout_blame
from ..sandbox import BoundedRun, Task
from ..text import counted, escape_unsafe

HOST = "127.0.0.1"
LONG_POLL_SECONDS = 10  # the page's question "has the preview changed?" is answered at once when it does
WATCH_SECONDS = 0.05  # how often the files are looked at (well under a millisecond for a pack): a save is seen at once
MAX_WATCHED_FILES = 5000  # a pack folder is a few dozen files; a stray huge tree is not walked without end
LAYOUT_FILE_TYPES = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
                     ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf"}


@dataclass(frozen=True)
class ServeOptions:
    pack: Path
    templates: tuple[Path, ...] = ()
    layouts: tuple[Path, ...] = ()
    port: int = 8000
    count: int = 20
    seed: int = 1


@dataclass(frozen=True)
class Stamps:
    """One stamp per kind of watched folder, so that a save rebuilds only what it touches: a layout edit needs
    neither the pack nor the pool again, a template edit needs no pack reload."""

    pack: str
    templates: str
    layouts: str

    @property
    def joined(self) -> str:
        return f"{self.pack}{self.templates}{self.layouts}"


@dataclass(frozen=True)
class Made:
    """What a preview was made from and of, kept for the next save: the pack, the question set the documents show,
    and the pool's problems, notes and text."""

    stamps: Stamps
    pack: Pack
    question_set: QuestionSet | None
    problems: tuple[str, ...]
    notes: tuple[str, ...]
    pool: str


@dataclass(frozen=True)
class Preview:
    """What the page shows for one state of the files: problems, the pool, and the two documents' HTML."""

    stamp: str  # changes whenever a watched file does
    title: str
    problems: tuple[str, ...]
    pool: str
    worksheet: str = ""
    cards: str = ""
    notes: tuple[str, ...] = ()  # lint warnings: shown, but nothing is wrong with the pack
    made: Made | None = field(default=None, compare=False, repr=False)


def files_stamp(folders: tuple[Path, ...]) -> str:
    """A stamp of every file's name, size and modification time under the folders: a save changes it."""
    entries = [f"{number}:{path}:{info.st_size}:{info.st_mtime_ns}"
               for number, path, info in islice(watched_files(folders), MAX_WATCHED_FILES)]
    return hashlib.blake2b("\n".join(entries).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


def watched_files(folders: tuple[Path, ...]) -> Iterator[tuple[int, str, os.stat_result]]:
    """Each regular file under the folders, in a stable order, with its folder's number and its status."""
    for number, folder in enumerate(folders):
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".quizgen") and d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(root, name)
                try:
                    info = os.lstat(path)
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    yield number, path, info


def watched_folders(options: ServeOptions) -> tuple[Path, ...]:
    from ..generate.templates import BUILTIN_DIR

    return (options.pack, *options.templates, BUILTIN_DIR, *options.layouts, BUILTIN_LAYOUTS)


def stamps_of(options: ServeOptions) -> Stamps:
    from ..generate.templates import BUILTIN_DIR

    return Stamps(files_stamp((options.pack,)), files_stamp((*options.templates, BUILTIN_DIR)),
                  files_stamp((*options.layouts, BUILTIN_LAYOUTS)))


def make_preview(options: ServeOptions, stamp: str, last: Preview | None, stamps: Stamps | None = None) -> Preview:
    """The preview of the files as they are now; when the pack cannot be read, its problems with the last
    documents that could be made, so the author keeps the page in view while fixing.

    Only what a save touched is made again: after a layout edit only the documents are laid out (from the last
    question set); after a template edit the pack is not read again. Otherwise the documents are generated and laid
    out in their bounded worker while this process checks and lints the pool: the two halves share the 2 cores."""
    from ..load.pack import load_pack

    stamps = stamps or stamps_of(options)
    earlier = last.made if last else None
    if earlier and earlier.question_set and (earlier.stamps.pack, earlier.stamps.templates) == (stamps.pack,
                                                                                                stamps.templates):
        return relaid_preview(options, stamp, stamps, earlier, last)
    try:
        pack = earlier.pack if earlier and earlier.stamps.pack == stamps.pack else load_pack(options.pack)
    except QuizgenError as exc:
        return kept_preview(stamp, last, display_path(options.pack), problem_lines(exc))
    with BoundedRun([documents_task(pack, options)], sandbox.RENDER_LIMITS) as documents:
        try:
            problems, notes, text = pool_findings(pack, options)
        except QuizgenError as exc:  # a template's problem: the pack is kept for the template's next save
            problems = problem_lines(exc)
            return replace(kept_preview(stamp, last, pack.title, problems), made=Made(stamps, pack, None, problems,
                                                                                      (), ""))
        try:
            ((worksheet, cards, question_set),) = documents.results()
        except QuizgenError as exc:
            return Preview(stamp, pack.title, (*problems, *problem_lines(exc)), text,
                           last.worksheet if last else "", last.cards if last else "", notes,
                           Made(stamps, pack, None, problems, notes, text))
    return Preview(stamp, pack.title, problems, text, worksheet, cards, notes,
                   Made(stamps, pack, question_set, problems, notes, text))


def relaid_preview(options: ServeOptions, stamp: str, stamps: Stamps, earlier: Made, last: Preview) -> Preview:
    """The last preview with its documents laid out again: only a layout changed."""
    made = Made(stamps, earlier.pack, earlier.question_set, earlier.problems, earlier.notes, earlier.pool)
    try:
        worksheet, cards, _ = sandbox.run_bounded(documents_task(earlier.pack, options, earlier.question_set),
                                          sandbox.RENDER_LIMITS)
    except QuizgenError as exc:
        return Preview(stamp, last.title, (*earlier.problems, *problem_lines(exc)), earlier.pool, last.worksheet,
                       last.cards, earlier.notes, made)
    return Preview(stamp, last.title, earlier.problems, earlier.pool, worksheet, cards, earlier.notes, made)


def kept_preview(stamp: str, last: Preview | None, title: str, problems: tuple[str, ...]) -> Preview:
    """The problems, with the last pool and documents that could be made kept in view."""
    return Preview(stamp, last.title if last else title, problems, last.pool if last else "",
                   last.worksheet if last else "", last.cards if last else "")


def pool_findings(pack: Pack, options: ServeOptions) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """The pool's check and lint errors, its lint warnings, and its text as `review --text` prints it."""
    from ..generate import question_pool
    from ..generate.lint import ERROR, lint_pool
    from ..study.review import pool_text

    pool = question_pool(pack, template_dirs=options.templates, with_excluded=True)
    findings = lint_pool(pool, pack)
    problems = tuple(str(f) for f in findings if f.severity == ERROR)
    notes = tuple(str(f) for f in findings if f.severity != ERROR and f.rule != "fewer-questions")
    return problems, notes, pool_text(pool, pack)


def problem_lines(error: QuizgenError) -> tuple[str, ...]:
    return tuple(str(p) for p in error.problems)


def documents_task(pack: Pack, options: ServeOptions, question_set: QuestionSet | None = None) -> Task:
    """A worksheet and a card sheet as the build makes them, in one bounded worker: the question set given, or else
    generated there too (with the user's templates), then laid out with the user's layouts."""
    layouts = Layouts.with_user_folders(options.layouts)
    user_folders = [*options.templates, *layouts.folders[:-1]]
    blame = (user_layout_blame(layouts.folders, display_path(layouts.folders[-1])) if not options.templates
             else ", ".join(display_path(f) for f in user_folders))
    return Task(documents_of, (pack, options, question_set, layouts), blame,
                field="template or layout" if options.templates else "layout")


def documents_of(pack: Pack, options: ServeOptions, question_set: QuestionSet | None,
                 layouts: Layouts) -> tuple[str, str, QuestionSet]:
    from ..generate import generate_question_set

    if question_set is None:
        question_set = generate_question_set(pack, template_dirs=options.templates, count=options.count,
                                             seed=options.seed, versions=1)
    return (*document_pages(question_set, layouts, (pack.root,)), question_set)


def document_pages(question_set, layouts, content_folders: tuple[Path, ...]) -> tuple[str, str]:
    from ..render import imposition
    from ..render.flashcards import flashcards_document
    from ..render.html import worksheet_document
    from ..sheets.paper import PAPERS

    paper = PAPERS["a4"]
    worksheet = worksheet_document(question_set, question_set.versions[:1], layouts, paper, content_folders)
    cards = flashcards_document(question_set, layouts, paper, imposition.Grid(2, 4), "long", imposition.Offset(),
                                content_folders=content_folders, composed=False)  # the page shows its HTML
    return worksheet.html, cards.html


class Previews:
    """The latest preview, made again by `refresh` when a watched file changed since it was made; a request for the
    stamp may wait for the next one (the page's long poll), so a new preview is seen as soon as it is made."""

    def __init__(self, options: ServeOptions):
        self.options = options
        self.preview: Preview | None = None
        self.changed = threading.Condition()

    def refresh(self) -> Preview:
        stamps = stamps_of(self.options)
        if self.preview is None or self.preview.stamp != stamps.joined:
            made = make_preview(self.options, stamps.joined, self.preview, stamps)
            with self.changed:
                self.preview = made  # one assignment: readers see old or new
                self.changed.notify_all()
        return self.preview

    def current(self) -> Preview:
        assert self.preview is not None, "the first preview is made before the server listens"
        return self.preview

    def stamp_after(self, seen: str, timeout: float) -> str:
        """The current stamp, once it differs from `seen` or the timeout has passed."""
        with self.changed:
            self.changed.wait_for(lambda: self.current().stamp != seen, timeout=timeout)
            return self.current().stamp


def page_html(preview: Preview) -> str:
    """The author's page: problems first, then the pool beside the worksheet and the card sheet."""
    parts = page_parts(preview)
    return PAGE.format(title=html.escape(preview.title), stamp=json.dumps(preview.stamp),
                       documents=json.dumps(parts["documents"]), status=parts["status"], problems=parts["problems"],
                       notes=parts["notes"], pool=html.escape(escape_unsafe(preview.pool)))


def page_parts(preview: Preview) -> dict[str, str]:
    """What the page swaps in when the preview changes, rather than reloading itself: laying out the whole page
    and both documents again took the browser longer than making the preview."""
    def lines(items: tuple[str, ...], css: str) -> str:
        return "".join(f'<li class="{css}">{html.escape(escape_unsafe(item))}</li>' for item in items)

    status = (f'<p class="bad">{counted(len(preview.problems), "problem")}</p>' if preview.problems
              else '<p class="good">check and lint: no errors</p>')
    documents = hashlib.blake2b(f"{preview.worksheet}\0{preview.cards}".encode("utf-8", "surrogateescape"),
                                digest_size=8).hexdigest()
    return {"stamp": preview.stamp, "title": preview.title, "status": status,
            "problems": lines(preview.problems, "problem"), "notes": lines(preview.notes, "note"),
            "pool": escape_unsafe(preview.pool), "documents": documents}


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · quizgen preview</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 0; }}
header {{ padding: .5em 1em; background: #f4f4f4; border-bottom: 1px solid #ccc; }}
h1 {{ font-size: 1.2em; margin: 0; }}
.bad {{ color: #a00; font-weight: bold; }} .good {{ color: #060; }}
ul {{ margin: .3em 0; padding-left: 1.2em; font-family: monospace; }}
li.problem {{ color: #a00; }} li.note {{ color: #666; }}
main {{ display: grid; grid-template-columns: 1fr 1fr; gap: 1em; padding: 1em; }}
pre {{ white-space: pre-wrap; margin: 0; font-size: 12px; }}
iframe {{ width: 100%; height: 80vh; border: 1px solid #ccc; background: white; }}
details {{ margin: .3em 0; }}
</style></head>
<body>
<header><h1 id="title">{title}</h1><div id="status">{status}</div>
<ul id="problems">{problems}</ul>
<details><summary>lint warnings</summary><ul id="notes">{notes}</ul></details></header>
<main>
<section><h2>Pool</h2><pre id="pool">{pool}</pre></section>
<section><h2>Worksheet</h2><iframe id="worksheet" sandbox src="/worksheet.html"></iframe>
<h2>Cards</h2><iframe id="cards" sandbox src="/cards.html"></iframe></section>
</main>
<script>
let stamp = {stamp}, documents = {documents};
function show(parts) {{
  document.getElementById("title").textContent = parts.title;
  document.title = parts.title + " · quizgen preview";
  for (const id of ["status", "problems", "notes"]) document.getElementById(id).innerHTML = parts[id];
  document.getElementById("pool").textContent = parts.pool;
  if (parts.documents !== documents) {{  // the sheets are laid out again only when they changed
    for (const id of ["worksheet", "cards"]) document.getElementById(id).src = "/" + id + ".html?" + parts.documents;
  }}
  stamp = parts.stamp;
  documents = parts.documents;
}}
async function poll() {{
  try {{
    // the server answers when the preview changes (or after a while, unchanged): no delay between save and show
    const answer = await fetch("/stamp?since=" + encodeURIComponent(stamp), {{cache: "no-store"}});
    if ((await answer.text()) !== stamp) show(await (await fetch("/parts.json", {{cache: "no-store"}})).json());
    setTimeout(poll, 0);
  }} catch (e) {{ setTimeout(poll, 500); /* the server stopped: ask again, not in a tight loop */ }}
}}
poll();
</script>
</body></html>
"""


class Handler(BaseHTTPRequestHandler):
    """Answers the page, its stamp and changing parts, the two documents and the layouts' own files (stylesheets,
    images, fonts)."""

    previews: Previews
    layout_folders: tuple[Path, ...]

    def do_GET(self) -> None:
        if not self.from_this_machine():
            self.answer(HTTPStatus.FORBIDDEN, b"quizgen serve answers only http://127.0.0.1", "text/plain")
            return
        path, _, query = self.path.partition("?")
        if path == "/stamp":
            seen = parse_qs(query).get("since", [""])[0]
            stamp = self.previews.stamp_after(seen, LONG_POLL_SECONDS) if seen else self.previews.current().stamp
            self.answer(HTTPStatus.OK, stamp.encode(), "text/plain")
        elif path == "/":
            self.answer(HTTPStatus.OK, page_html(self.previews.current()).encode("utf-8"), "text/html")
        elif path == "/parts.json":
            self.answer(HTTPStatus.OK, json.dumps(page_parts(self.previews.current())).encode(), "application/json")
        elif path in ("/worksheet.html", "/cards.html"):
            preview = self.previews.current()
            document = preview.worksheet if path == "/worksheet.html" else preview.cards
            self.answer(HTTPStatus.OK, (document or NOTHING_YET).encode("utf-8"), "text/html")
        else:
            self.layout_file(path.lstrip("/"))

    def from_this_machine(self) -> bool:
        """A page elsewhere cannot reach the preview through a name that resolves here (DNS rebinding)."""
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        return host in ("127.0.0.1", "localhost")

    def layout_file(self, name: str) -> None:
        kind = LAYOUT_FILE_TYPES.get(Path(name).suffix.lower())
        found = Layouts(self.layout_folders).find(name) if kind and "/" not in name and "\\" not in name else None
        if found is None:
            self.answer(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
            return
        self.answer(HTTPStatus.OK, found.read_bytes(), kind)

    def answer(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") else kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # a request for every change of the preview is no news


NOTHING_YET = "<!doctype html><p>Nothing to show yet: fix the problems listed above.</p>"


def serve(options: ServeOptions) -> int:
    """Serve the preview until interrupted; the first line printed is the address to open."""
    if not Path(options.pack).is_dir():
        raise QuizgenError.at(options.pack, "is not a folder; expected a content pack folder containing pack.yaml")
    previews = Previews(options)
    handler = type("PackHandler", (Handler,), {"previews": previews,
                                                "layout_folders": Layouts.with_user_folders(options.layouts).folders})
    try:
        # threads, so that a connection a browser opens ahead and leaves idle does not hold up the others
        server = ThreadingHTTPServer((HOST, options.port), handler)
    except OSError as exc:
        raise QuizgenError.at("--port", f"{options.port}: cannot listen on {HOST} ({exc.strerror or exc}); expected "
                              "a free port, or 0 for any") from None
    server.daemon_threads = True
    with server:
        previews.refresh()
        listening = threading.Thread(target=server.serve_forever, name="quizgen-serve", daemon=True)
        listening.start()
        print(f"serving {display_path(options.pack)} at http://{HOST}:{server.server_port}/ (Ctrl-C stops)",
              flush=True)
        try:
            while True:
                time.sleep(WATCH_SECONDS)
                previews.refresh()
        finally:
            server.shutdown()
    return 0
