"""The `quizgen` command's first step: a build is handed to this user's build server when one is running for this
code and environment (server.py), so that the command's own process imports next to nothing; any other
command, and a build no server ran, runs here (cli.run), and a build run here starts a server for the next one."""

from __future__ import annotations

import os
import sys


def run() -> None:
    if sys.argv[1:2] != ["build"]:
        from .cli import run as run_here

        run_here()
        return
    from . import server

    try:
        code = server.served(sys.argv)
    except KeyboardInterrupt:  # Ctrl-C before the server's child took the build
        print("interrupted", file=sys.stderr)
        os._exit(130)
    if code is not None:
        os._exit(code)
    from .cli import run as run_here

    run_here(after=server.start_server)
