"""The build server: a process that keeps what every `quizgen build` imports (the build's own modules, WeasyPrint
warmed up, the export libraries: about half of a rebuild's CPU) and forks a child to run each build.

`quizgen build` looks for a server of this user, interpreter, code and environment (`server_key`); when one
answers, it hands over its arguments, folder, environment, umask, the signals it ignores and its terminal (its
standard streams, passed as file descriptors). The child answers with its pid; from the client's `go` on, the build
is the child's: it runs the command exactly as the client would have (cli.main), in a process of its own, so
nothing of one build is left for the next, and sends the exit code back. The client passes Ctrl-C, the signals that
end a command, and Ctrl-Z on; killed, it takes the child with it (the server watches each client's connection).
When no server answers, the build runs in the client, which then starts a server in the background for the next
build. A server stays up to IDLE_SECONDS without a build, and ends at a build that finds the fonts or the system
libraries changed under it (that build runs by itself); at most MAX_SERVERS run for a user, the least used ending.

Linux only (descriptors cross a Unix socket, children are watched through pidfds); never with QUIZGEN_SERVER=off,
nor on CI (CI set) unless QUIZGEN_SERVER=on. The socket is in a folder only this user can enter, and each side
checks the other's user. Kept light: the client imports this module and nothing else of quizgen when a server
answers."""

from __future__ import annotations

import hashlib
import marshal
import os
import select
import signal
import socket
import stat
import struct
import sys

SERVER_VARIABLE = "QUIZGEN_SERVER"  # off (0, no, false): builds run in their own process; on: also on CI
IDLE_VARIABLE = "QUIZGEN_SERVER_IDLE"  # seconds an idle server stays (IDLE_SECONDS when unset)
IDLE_SECONDS = 600
MAX_SERVERS = 3  # each code and environment has its own: a developer's edits would start one each
# what the server's start has read by the time it forks a build, and so what must be the same for the client: the
# interpreter's start (locale, Python's own variables), the libraries' loading, fontconfig, Pango and HarfBuzz
KEYED_VARIABLES = ("HOME", "LANG", "LANGUAGE", "TZ", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "XDG_DATA_HOME",
                   "XDG_DATA_DIRS")
KEYED_PREFIXES = ("LC_", "PYTHON", "LD_", "FONTCONFIG_", "FC_", "PANGO", "HB_", "GIO_", "G_")
SYSTEM_LIBRARIES = "/etc/ld.so.cache"  # rewritten whenever a system library is installed or upgraded
INSTALL_FOLDERS = ("site-packages", "dist-packages")  # a folder's time changes when pip adds or upgrades a library
# what the client passes on to the child; its own Ctrl-Z stops the child too (_Forwarding)
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
HEADER = struct.Struct("!I")
# and the built-in question templates compiled (kept by their text: an edited one is compiled again)
BUILD_MODULES = ("quizgen.cli", "quizgen.build.run", "quizgen.build.generating", "quizgen.generate",
                 "quizgen.generate.deal", "quizgen.load.pack", "quizgen.generate.templates:load_templates")
# the export formats' modules and the libraries they write with (Kahoot's spreadsheet library is left to the builds
# that write its file, few after an edit: it is imported as kahoot.py does, without numpy)
EXPORT_MODULES = ("quizgen.export.anki", "quizgen.export.docx", "quizgen.export.docx_layout",
                  "quizgen.export.docx_body", "quizgen.export.docx_join", "quizgen.export.moodle",
                  "quizgen.export.gift", "quizgen.export.qti", "quizgen.export.qti21", "quizgen.export.tabular",
                  "quizgen.export.selftest", "quizgen.export.kahoot")


# ---- the command's side --------------------------------------------------------------------------------------------


def served(argv: list[str]) -> int | None:
    """The exit code of `argv` (a `quizgen build` command line) run by this user's build server, or None when no
    server took it (there is none for this code and environment, it is not wanted, or it did not answer): the
    caller builds. Once the server's child has taken the build, the build is its, whatever happens."""
    if not wanted():
        return None
    ignored = [int(signum) for signum in FORWARDED if signal.getsignal(signum) == signal.SIG_IGN]
    try:
        connection = _connected(argv, ignored)
        if connection is None:
            return None
        reader = connection.makefile("rb")
        answer = _line(reader)
        if not answer.startswith("pid "):  # "stale": the server ends; this build runs here
            connection.close()
            return None
        child = int(answer.split()[1])
    except Exception:  # no server, or one that did not answer as it should: the build runs here
        return None
    forwarding = _Forwarding(child, ignored)
    try:
        connection.settimeout(None)
        connection.sendall(b"go\n")
        answer = _line(reader)
    except OSError:
        answer = ""
    signal.pthread_sigmask(signal.SIG_BLOCK, [*FORWARDED, signal.SIGTSTP])  # none now: the build has ended
    forwarding.undo()
    how, _, number = answer.partition(" ")
    if how == "exit" and number.lstrip("-").isdigit():
        return int(number)
    if how == "signal" and number.isdigit():  # the child died of it (the server saw): so does this process
        signum = int(number)
        if signum not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signum])
        os.kill(os.getpid(), signum)
        return 128 + signum
    print("quizgen: the build server's process ended without finishing the build; run it again, or with "
          f"{SERVER_VARIABLE}=off", file=sys.stderr)
    return 1


def wanted() -> bool:
    setting = os.environ.get(SERVER_VARIABLE, "").strip().lower()
    if setting in ("0", "off", "no", "false"):
        return False
    on_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false")
    if on_ci and setting not in ("1", "on", "yes", "true"):
        return False
    return sys.platform.startswith("linux") and hasattr(socket, "send_fds") and hasattr(os, "pidfd_open")


def socket_path() -> str | None:
    """Where the server for this user, interpreter, code and environment listens; None where no private folder
    can hold it (or the path is too long for a socket)."""
    folder = _private_runtime_folder()
    if folder is None:
        return None
    path = os.path.join(folder, f"build-{server_key()[:24]}.sock")
    return path if len(os.fsencode(path)) < 100 else None


def server_key() -> str:
    """A digest of what a server's start depends on and its builds inherit: the interpreter and its flags, the
    module path and when its libraries' folders last changed (a library installed or upgraded), quizgen's sources,
    the system libraries' cache, the keyed environment variables, the user and groups, the resource limits, the
    priority, the CPU affinity, the control group and the mount namespace."""
    import resource

    digest = hashlib.sha256()
    digest.update(repr((sys.executable, sys.version, tuple(sys.flags), sorted(sys._xoptions.items()), sys.warnoptions,
                        _unbuffered(), sys.path,
                        os.getuid(), os.geteuid(), os.getgid(), os.getegid(), sorted(os.getgroups()),
                        os.getpriority(os.PRIO_PROCESS, 0), sorted(os.sched_getaffinity(0)),
                        [resource.getrlimit(getattr(resource, name)) for name in sorted(dir(resource))
                         if name.startswith("RLIMIT_")])).encode("utf-8", "surrogateescape"))
    for entry in (*[e for e in sys.path if os.path.basename(e) in INSTALL_FOLDERS], SYSTEM_LIBRARIES):
        digest.update(os.fsencode(f"{entry}:{_stamp(entry)}\n"))
    package = os.path.dirname(os.path.abspath(__file__))
    for folder, folders, files in os.walk(package):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                digest.update(os.fsencode(f"{path}:{_stamp(path)}\n"))
    for name in sorted(os.environ):
        if name in KEYED_VARIABLES or name.startswith(KEYED_PREFIXES):
            digest.update(os.fsencode(f"{name}={os.environ[name]}\n"))
    try:
        digest.update(os.fsencode(os.readlink("/proc/self/ns/mnt") + os.readlink("/proc/self/ns/pid")))
        with open("/proc/self/cgroup", "rb") as cgroup:
            digest.update(cgroup.read())
    except OSError:
        pass
    return digest.hexdigest()


def start_server() -> None:
    """Start this user's build server in the background, for the builds after this one (nothing happens when one is
    starting or running already, or when one for this code could not start within the last hour)."""
    import json
    import subprocess
    import time

    path = socket_path() if wanted() else None
    if path is None:
        return
    try:
        if time.time() - os.stat(path + ".failed").st_mtime < 3600:
            return
    except OSError:
        pass
    code = "import json, sys; sys.path[:] = json.loads(sys.argv[1]); from quizgen.server import serve; " \
           "serve(sys.argv[2])"
    try:
        unbuffered = ["-u"] if _unbuffered() else []
        subprocess.Popen([sys.executable, *subprocess._args_from_interpreter_flags(), *unbuffered, "-c", code,
                          json.dumps(sys.path), path], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except OSError:
        pass


def _connected(argv: list[str], ignored: list[int]) -> socket.socket | None:
    path = socket_path()
    if path is None:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(5)  # the server checks the fonts and forks, the child answers: some milliseconds
    try:
        connection.connect(path)
        if _peer_uid(connection) != os.geteuid():
            raise OSError("a socket of another user's")
        _send_request(connection, argv, ignored)
    except BaseException:
        connection.close()
        raise
    return connection


def _send_request(connection: socket.socket, argv: list[str], ignored: list[int]) -> None:
    """The command line, folder, environment, umask and ignored signals, and the standard streams as descriptors:
    the size and the descriptors first, the rest after. marshal, not json: no module to import here (json's import
    is half this process's start), and the peer is this user's own server."""
    umask = os.umask(0)
    os.umask(umask)
    body = marshal.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": umask,
                          "ignored": ignored})
    streams = [descriptor if _is_open(descriptor) else os.open(os.devnull, os.O_RDWR) for descriptor in (0, 1, 2)]
    socket.send_fds(connection, [HEADER.pack(len(body))], streams)
    connection.sendall(body)


class _Forwarding:
    """While the child builds: the signals that end a command go to its process group, the build's workers with it,
    as a terminal's would (those the client ignores stay ignored, as the child ignores them too); Ctrl-Z stops them
    with the client, and they go on with it."""

    def __init__(self, child: int, ignored: list[int]):
        self.child = child
        self.before = {signum: signal.signal(signum, self.forward) for signum in FORWARDED if signum not in ignored}
        if signal.getsignal(signal.SIGTSTP) != signal.SIG_IGN:
            self.before[signal.SIGTSTP] = signal.signal(signal.SIGTSTP, self.stop)
            self.before[signal.SIGCONT] = signal.signal(signal.SIGCONT, self.resume)

    def forward(self, signum: int, frame: object) -> None:
        self._send(signum)

    def stop(self, signum: int, frame: object) -> None:
        self._send(signal.SIGSTOP)
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # stopped here until the shell continues us (at once, if orphaned)
        self.resume(signal.SIGCONT, None)

    def resume(self, signum: int, frame: object) -> None:
        signal.signal(signal.SIGTSTP, self.stop)
        self._send(signal.SIGCONT)

    def _send(self, signum: int) -> None:
        try:
            os.killpg(self.child, signum)
        except OSError:
            pass

    def undo(self) -> None:
        for signum, handler in self.before.items():
            signal.signal(signum, handler)


# ---- the server ----------------------------------------------------------------------------------------------------


def serve(path: str) -> None:
    """The server: the build's modules imported, then a child forked for each build asked for on the socket at
    `path`, each watched until it ends; the server ends after the idle time with no child, when it finds the fonts
    changed before a fork, or on SIGTERM, once its children have ended."""
    import fcntl
    import gc

    lock = os.open(path + ".lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os._exit(0)  # another server holds this path
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGTSTP):
        signal.signal(signum, signal.SIG_IGN)  # a server of the user's; only SIGTERM ends it
    gc.disable()
    try:
        base = _imported_for_builds()
        os.close(os.pidfd_open(os.getpid()))  # children are watched through pidfds
    except BaseException:
        _failed(path)
        os._exit(1)
    gc.freeze()
    gc.enable()
    os.chdir("/")  # no folder of the client's kept busy; each build runs in its own
    try:
        listening = _listening_at(path)
    except OSError:
        os._exit(1)
    os.ftruncate(lock, 0)
    os.write(lock, f"{os.getpid()}\n".encode())
    _end_least_used_servers(os.path.dirname(path), path)
    children = _Children(listening, lock, base)
    signal.signal(signal.SIGTERM, children.asked_to_end)
    children.serve(_idle_seconds())
    os._exit(0)


class _Children:
    """The server's loop: accept builds, fork a child for each, watch each child's client (gone: the child is
    killed) and the child itself (ended: how, told to its client). Ending (idle, SIGTERM, or the fonts changed
    under it), the server stops listening at once and watches the children it has until they end."""

    def __init__(self, listening: socket.socket, lock: int, base: str):
        self.listening, self.lock, self.base = listening, lock, base
        self.path = listening.getsockname()
        self.poll = select.poll()
        self.poll.register(listening, select.POLLIN)
        self.children: dict[int, tuple[int, socket.socket]] = {}  # pidfd → (pid, the client's connection)
        self.clients: dict[int, int] = {}  # the connection's descriptor → its child's pidfd
        self.ending = False
        self.wake, self.woken = os.pipe()  # SIGTERM's handler writes here: the loop ends at its next turn
        os.set_blocking(self.woken, False)
        self.poll.register(self.wake, select.POLLIN)

    def serve(self, idle: float) -> None:
        while self.children or not self.ending:
            events = self.poll.poll(None if self.children or self.ending else idle * 1000)
            if not events:  # idle
                self.end()
            for descriptor, event in events:
                if descriptor == self.wake:
                    self.poll.unregister(self.wake)
                    self.end()
                elif descriptor == self.listening.fileno() and not self.ending:
                    self.accept()
                elif descriptor in self.children:
                    self.ended(descriptor)
                elif descriptor in self.clients and event & (select.POLLHUP | select.POLLRDHUP | select.POLLERR):
                    try:
                        signal.pidfd_send_signal(self.clients[descriptor], signal.SIGKILL)
                    except OSError:
                        pass
                    self.poll.unregister(descriptor)
                    del self.clients[descriptor]

    def asked_to_end(self, signum: int, frame: object) -> None:
        try:
            os.write(self.woken, b"x")
        except OSError:
            pass

    def end(self) -> None:
        """Stop listening, the socket removed (no other server can have bound it: this one holds its lock)."""
        if self.ending:
            return
        self.ending = True
        try:
            os.unlink(self.path)
        except OSError:
            pass
        self.poll.unregister(self.listening)
        self.listening.close()

    def accept(self) -> None:
        import time

        try:
            connection, _ = self.listening.accept()
        except OSError:  # out of descriptors, say: the next try a moment later
            time.sleep(0.1)
            return
        if _peer_uid(connection) != os.geteuid():
            connection.close()
            return
        if _fonts_changed(self.base):  # it would draw with the old ones: this build runs by itself, the server ends
            try:
                connection.sendall(b"stale\n")
            except OSError:
                pass
            connection.close()
            self.end()
            return
        try:
            os.utime(self.lock)  # used now: the least used servers are the ones ended
            pid = os.fork()
        except OSError:
            connection.close()
            return
        if pid == 0:
            try:
                _run_build(connection, self)
            finally:
                os._exit(1)
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:  # out of descriptors, say: that build is not watched, and so not run
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            connection.close()
            return
        self.children[pidfd] = (pid, connection)
        self.clients[connection.fileno()] = pidfd
        self.poll.register(pidfd, select.POLLIN)
        self.poll.register(connection, select.POLLRDHUP)

    def ended(self, pidfd: int) -> None:
        """Forget a child that ended, once its client is told how (the child says its exit code itself, before; a
        child killed by a signal, by the out-of-memory killer say, cannot)."""
        pid, connection = self.children.pop(pidfd)
        _, status = os.waitpid(pid, 0)
        self.poll.unregister(pidfd)
        os.close(pidfd)
        code = os.waitstatus_to_exitcode(status)
        try:
            connection.sendall(f"exit {code}\n".encode() if code >= 0 else f"signal {-code}\n".encode())
        except OSError:
            pass
        if connection.fileno() in self.clients:
            self.poll.unregister(connection)
            del self.clients[connection.fileno()]
        connection.close()

    def close_in_child(self) -> None:
        """In a child: the server's descriptors closed (the next server may start while this build runs)."""
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.close(self.wake)
        os.close(self.woken)
        self.listening.close()
        os.close(self.lock)
        for pidfd, (_, connection) in self.children.items():
            os.close(pidfd)
            connection.close()


def _imported_for_builds() -> str:
    """Import everything a build imports, warm WeasyPrint up, and give the fonts' and libraries' fingerprint it
    was warmed up with."""
    import importlib

    from .render import RENDERER_MODULES, SUBSETTER_MODULES
    from .render.piece_store import fonts_fingerprint

    for name in (*BUILD_MODULES, *RENDERER_MODULES, *SUBSETTER_MODULES, *EXPORT_MODULES):
        module, _, function = name.partition(":")
        imported = importlib.import_module(module)
        if function:
            getattr(imported, function)()
    return fonts_fingerprint()


def _failed(path: str) -> None:
    """Mark the server for this path as unable to start, with why (start_server tries again an hour later)."""
    import traceback

    try:
        with open(path + ".failed", "w", encoding="utf-8") as failed:
            failed.write(traceback.format_exc())
    except OSError:
        pass


def _listening_at(path: str) -> socket.socket:
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.unlink(path)  # a server that ended without removing it: the lock says none holds it now
    except FileNotFoundError:
        pass
    old = os.umask(0o177)
    try:
        listening.bind(path)
    finally:
        os.umask(old)
    listening.listen(16)
    return listening


def _end_least_used_servers(folder: str, path: str) -> None:
    """End the servers beyond MAX_SERVERS in `folder`, the ones used longest ago first (by their lock's time; a
    server ending leaves the builds it runs to finish)."""
    import fcntl

    running = []
    for name in os.listdir(folder):
        lock = os.path.join(folder, name)
        if not (name.startswith("build-") and name.endswith(".lock")) or lock == path + ".lock":
            continue
        try:
            handle = os.open(lock, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)  # not held: no server there
        except OSError:
            pid = os.read(handle, 32).strip()
            if pid.isdigit():
                running.append((os.fstat(handle).st_mtime, int(pid), lock[:-len(".lock")]))
        finally:
            os.close(handle)
    for _, pid, other in sorted(running)[:max(len(running) - (MAX_SERVERS - 1), 0)]:
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as command:  # that server still, not a process given its pid
                if os.fsencode(other) in command.read():
                    signal.pidfd_send_signal(pidfd, signal.SIGTERM)
        except OSError:
            pass
        finally:
            os.close(pidfd)


# ---- the server's child --------------------------------------------------------------------------------------------


def _run_build(connection: socket.socket, children: _Children) -> None:
    """In a server's child: take the client's request, answer with this pid, and once the client says go, become
    its process (folder, environment, streams, umask, signals), run the command as cli.run would and report the
    exit code; never return."""
    children.close_in_child()
    for signum in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP, signal.SIGQUIT, signal.SIGTSTP):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        os.setpgid(0, 0)  # a group of its own, its workers in it: the client signals them all, as a terminal would
        connection.settimeout(10)
        request = _read_request(connection)
        connection.sendall(f"pid {os.getpid()}\n".encode())
        connection.settimeout(None)  # from here the server ends this child if its client goes
        if _line(connection.makefile("rb")) != "go":  # the client gave up: it builds by itself
            os._exit(0)
        _become_client(request)
    except BaseException:
        os._exit(1)
    code = _command(request["argv"])
    try:
        connection.sendall(f"exit {code}\n".encode())
    except OSError:
        pass
    os._exit(code)


def _command(argv: list[str]) -> int:
    """The command's exit code, as `quizgen` run by itself would end: argparse's exit, an error's traceback."""
    import gc
    import traceback

    from . import cli
    from .build import warm

    warm.everything_imported()
    gc.unfreeze()  # the build freezes what it has made once the set is dealt, the server's modules with it (cmd_build)
    try:
        code = cli.main(argv[1:])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
        code = 1
    try:
        return cli.finished(code)
    except KeyboardInterrupt:  # Ctrl-C while the output was flushed: ended by it, as the command by itself would be
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        return 130


def _fonts_changed(base: str) -> bool:
    """Whether the installed fonts or the libraries that draw them changed since the server warmed up: its
    fontconfig and Pango would draw with the old ones."""
    from .render import weasy
    from .render.piece_store import fonts_fingerprint

    weasy.library_cache_listing.cache_clear()
    fonts_fingerprint.cache_clear()
    return fonts_fingerprint() != base


def _become_client(request: dict) -> None:
    import io
    import tempfile
    import time

    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    tempfile.tempdir = None  # found again from the client's TMPDIR
    os.umask(request["umask"])
    sys.argv = request["argv"]
    for signum in request["ignored"]:
        signal.signal(signum, signal.SIG_IGN)
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        old = getattr(sys, name)
        raw = io.FileIO(number, "r" if number == 0 else "w", closefd=False)
        raw.name = f"<{name}>"
        # as the interpreter makes them (its -u and PYTHONUNBUFFERED as the server's, which shares them)
        write_through = bool(getattr(old, "write_through", False))
        line_buffering = not write_through and (number == 2 or raw.isatty())
        stream = io.TextIOWrapper(io.BufferedReader(raw) if number == 0 else io.BufferedWriter(raw),
                                  encoding=old.encoding, errors=old.errors, newline="\n",
                                  line_buffering=line_buffering, write_through=write_through)
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def _read_request(connection: socket.socket) -> dict:
    data, descriptors, _, _ = socket.recv_fds(connection, HEADER.size, 3)
    if len(descriptors) != 3 or len(data) != HEADER.size:
        raise ValueError("a request without its streams")
    for number, descriptor in enumerate(descriptors):
        os.dup2(descriptor, number)
        os.close(descriptor)
    size = HEADER.unpack(data)[0]
    body = bytearray()
    while len(body) < size:
        more = connection.recv(min(size - len(body), 1 << 16))
        if not more:
            raise ValueError("a request cut short")
        body += more
    return marshal.loads(bytes(body))


# ---- both sides ----------------------------------------------------------------------------------------------------


def _line(reader) -> str:
    """One line of the other side's answer ('' when it closed first), at most 64 bytes."""
    return reader.readline(64).decode("ascii", "replace").strip()


def _peer_uid(connection: socket.socket) -> int:
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", credentials)[1]


def _private_runtime_folder() -> str | None:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime):
        folder = os.path.join(runtime, "quizgen")
    else:
        folder = os.path.join("/tmp", f"quizgen-{os.geteuid()}")
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        info = os.lstat(folder)
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o077
    return folder if private else None


def _unbuffered() -> bool:
    """Whether this interpreter's output is unbuffered (-u, PYTHONUNBUFFERED), which sys.flags does not say."""
    return bool(getattr(sys.__stdout__, "write_through", False))


def _stamp(path: str) -> str:
    try:
        info = os.stat(path)
    except OSError:
        return "-"
    return f"{info.st_ino}:{info.st_size}:{info.st_mtime_ns}"


def _idle_seconds() -> float:
    try:
        seconds = float(os.environ.get(IDLE_VARIABLE, IDLE_SECONDS))
    except ValueError:
        return IDLE_SECONDS
    return min(max(seconds, 0.1), 86400.0) if seconds == seconds else IDLE_SECONDS  # nan: the default


def _is_open(descriptor: int) -> bool:
    try:
        os.fstat(descriptor)
    except OSError:
        return False
    return True
