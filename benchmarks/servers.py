"""SPARQL servers on loopback ports with fresh databases, for the remote-store tests and benchmarks.

``start_virtuoso(folder)`` and ``start_oxigraph(folder)`` each return ``(query_url, stop)``. Virtuoso is
Debian's ``virtuoso-opensource`` (installed with apt-get when ``virtuoso-t`` is missing); Oxigraph's server
is the ``oxigraph`` package from PyPI (the ``test`` extra).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

VIRTUOSO_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {db}
; about 1.3 GB of buffers: Virtuoso's guide gives 170000 buffers for 2 GB of memory
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8
[SPARQL]
; Virtuoso cuts every result at 10,000 rows by default, without an error: raised here
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 300
"""


class ServerError(Exception):
    """A server that could not be installed or started."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, seconds: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-800:] if log and log.exists() else ""
            raise ServerError(f"the server exited with {proc.returncode}: {tail}")
        try:
            urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise ServerError(f"{url} did not answer within {seconds:.0f} s")


def _stopper(proc: subprocess.Popen):
    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    return stop


def apt_install(packages: list[str], commands: list[str], timeout: float = 900) -> None:
    """Debian's ``packages``, when one of ``commands`` is missing; one installer at a time.

    Tests run in parallel (pytest-xdist) and two of them may install at once (Chromium,
    Virtuoso): apt and dpkg hold exclusive locks, so the second would fail. Installers
    queue on a lock file here, and apt waits on its own lock too (DPkg::Lock::Timeout)
    in case something else holds it. A clean machine may lack the package lists: on a
    failure the lists are updated and the install tried again."""
    import fcntl  # noqa: PLC0415 - POSIX only, like apt

    if all(shutil.which(c) for c in commands):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    wait = ["-o", f"DPkg::Lock::Timeout={int(timeout)}"]
    with open(Path(os.environ.get("TMPDIR", "/tmp")) / "sanctions-kg-apt.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if all(shutil.which(c) for c in commands):  # the one before us installed them
            return
        command = ["apt-get", *wait, "install", "-y", "-q", *packages]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            subprocess.run(["apt-get", *wait, "update", "-q"], env=env, capture_output=True, timeout=timeout)
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0 or not all(shutil.which(c) for c in commands):
            raise ServerError(f"cannot install {' '.join(packages)}: {done.stderr[-500:]}")


def install_virtuoso() -> None:
    """Debian's virtuoso-opensource, when ``virtuoso-t`` is not on this machine."""
    apt_install(["virtuoso-opensource"], ["virtuoso-t"])


def start_virtuoso(folder: Path):
    """Virtuoso with a new database in ``folder``; its SPARQL user may write (SPARQL_UPDATE), as a loader's would."""
    install_virtuoso()
    folder.mkdir(parents=True, exist_ok=True)
    sql, http = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=folder, sql=sql, http=http))
    proc = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(ini)], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http}/sparql"
    _wait(url, proc, 180, folder / "virtuoso.log")
    granted = subprocess.run(["isql-vt", f"127.0.0.1:{sql}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                             capture_output=True, text=True, timeout=60)
    if granted.returncode != 0:
        _stopper(proc)()
        raise ServerError(f"cannot grant SPARQL_UPDATE: {granted.stderr or granted.stdout}")
    return url, _stopper(proc)


def start_oxigraph(folder: Path):
    """``oxigraph serve`` on a new store in ``folder``, with the union of the graphs as default graph."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    _wait(url, proc, 60)
    return url, _stopper(proc)
