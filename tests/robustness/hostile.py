"""Running an attack bounded: quizgen in a child process with its own CPU, memory and wall-clock limits,
so that a regression fails the test instead of hanging or exhausting the machine."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEMORY_BYTES = 3 * 1024 ** 3
CPU_SECONDS = 120

# Run the CLI after lowering quizgen's own sandbox limits, so attacks on them trip in seconds, not minutes.
RUNNER = """
import sys
from quizgen import sandbox
from quizgen.cli import main
sandbox.RENDER_LIMITS = sandbox.Limits(cpu_seconds={cpu}, memory_bytes={memory}, wall_seconds={wall})
sandbox.GENERATE_LIMITS = sandbox.Limits(cpu_seconds={cpu}, memory_bytes={memory}, wall_seconds={wall})
sys.exit(main(sys.argv[1:]))
"""


def _limit_child(memory: int, cpu: int, file_bytes: int | None):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        if file_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    return apply


def run_quizgen(*args: str | Path, cwd: Path = ROOT, timeout: float = 90, stdin: str = "",
                sandbox_cpu: int = 5, sandbox_memory: int = 2 * 1024 ** 3, sandbox_wall: float = 30,
                file_bytes: int | None = None, memory: int = MEMORY_BYTES) -> subprocess.CompletedProcess:
    """`quizgen ARGS` in a child limited to `memory` bytes of address space, CPU_SECONDS and `timeout` seconds."""
    code = RUNNER.format(cpu=sandbox_cpu, memory=sandbox_memory, wall=sandbox_wall)
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=timeout,
                          preexec_fn=_limit_child(memory, CPU_SECONDS, file_bytes))


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """The single error line of a failed run; fails when there is a traceback or more than one line."""
    assert result.returncode == 1, (result.returncode, result.stdout[-2000:], result.stderr[-3000:])
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    return lines[0]
