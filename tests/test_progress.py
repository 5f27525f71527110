"""Long work shows a progress bar on a terminal's stderr, and none under -q or into a pipe.

Before, the long commands printed a few log lines and then nothing for as long as the work took.
Each command runs here with stderr on a pseudo-terminal of 100 columns (stdout on a pipe: results
are not for the bar), as a person at a terminal would run it.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

KG = [sys.executable, "-m", "kg.cli"]


def _on_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run kg with stderr on a pseudo-terminal; return the exit code and what the terminal showed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    proc = subprocess.Popen([*KG, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=follower,
                            env={k: v for k, v in os.environ.items() if k != "COLUMNS"})
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return proc.wait(timeout=600), shown.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("progress")
    assert subprocess.run([*KG, "-q", "build", "--out", str(work / "out")], cwd=work).returncode == 0
    return work


@pytest.mark.parametrize("args, bars", [
    (["build", "--out", "built"], ["reading articles", "validating", "quality queries"]),
    (["validate", "out/kg.trig"], ["validating", "quality queries"]),
    (["load", "out/kg.trig", "--store", "oxigraph:store"], ["loading"]),
    (["synth", "--triples", "3000", "--out", "synth.trig"], ["generating"]),
    (["chains"], ["chains"]),
    (["report", "--out", "report"], ["analysing", "writing the report"]),
    (["run", "--out", "run"], ["validating", "analysing", "chains", "writing the report"]),
], ids=["build", "validate", "load", "synth", "chains", "report", "run"])
def test_long_work_shows_progress_on_a_terminal(workdir, args, bars):
    code, shown = _on_terminal(args, workdir)
    assert code == 0, shown
    for desc in bars:
        assert f"{desc}: " in shown and "%|" in shown, (desc, shown[-3000:])
    # log lines print above the bars, each once, never through one
    lines = [line for line in shown.replace("\r\n", "\n").split("\n") if line.startswith("kg: ")]
    assert len(lines) == len(set(lines))


def test_no_bar_under_quiet_or_into_a_pipe(workdir):
    code, shown = _on_terminal(["-q", "validate", "out/kg.trig"], workdir)
    assert code == 0 and shown == ""
    code, shown = _on_terminal(["validate", "-q", "out/kg.trig"], workdir)
    assert code == 0 and shown == ""
    piped = subprocess.run([*KG, "validate", "out/kg.trig"], cwd=workdir, capture_output=True, text=True)
    assert piped.returncode == 0
    assert "%|" not in piped.stderr and "\r" not in piped.stderr and "kg: validating" in piped.stderr
