"""A reload while serving: `kg load` into the store a `kg serve` reads, and store versions pinned by readers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.cli import main
from kg.store import load_oxigraph, pin_version

MARKER = "urn:test:reload-marker"
# The marker graph holds one triple in the second file and none in the first: a query counts it.
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{MARKER}> {{ ?s ?p ?o }} }}"


@pytest.fixture(scope="module")
def trigs(tmp_path_factory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("out")
    assert main(["-q", "build", "--out", str(out)]) == 0
    first = out / "kg.trig"
    second = out / "kg2.trig"
    second.write_bytes(first.read_bytes() + f"\n<{MARKER}> {{ <urn:test:s> <urn:test:p> <urn:test:o> . }}\n".encode())
    return first, second


def _versions(location: Path) -> list[str]:
    return sorted(p.name for p in (location.parent / f"{location.name}.versions").iterdir() if not p.name.startswith("."))


def test_superseded_version_kept_while_pinned_and_removed_when_released(trigs, tmp_path):
    """A load used to delete the version a reader had open (old counts, then 'IO error ... .sst', then 503)."""
    first, second = trigs
    location = tmp_path / "kg"
    load_oxigraph(first, location)
    pin = pin_version(location)
    old = pin.path
    load_oxigraph(second, location)
    assert old.exists() and location.resolve() != old  # superseded, but still there for its reader
    assert not pin.current()
    import pyoxigraph

    assert len(pyoxigraph.Store.read_only(str(old))) > 0  # and still readable
    pin.release()
    assert not old.exists()
    assert _versions(location) == [location.resolve().name]


def test_unpinned_version_is_removed_by_the_load(trigs, tmp_path):
    first, second = trigs
    location = tmp_path / "kg"
    load_oxigraph(first, location)
    old = location.resolve()
    load_oxigraph(second, location)
    assert not old.exists()


def _count(url: str) -> tuple[int, int | None, str]:
    req = urllib.request.Request(f"{url}?query={urllib.parse.quote(COUNT)}",
                                 headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            data = json.loads(resp.read())
            return resp.status, int(data["results"]["bindings"][0]["n"]["value"]), ""
    except urllib.error.HTTPError as err:
        return err.code, None, err.read().decode("utf-8", "replace")


@pytest.mark.slow
def test_reload_while_serving_answers_consistently(trigs, tmp_path):
    """Queries before, during and after a `kg load` are all answered, from the old version and then the new."""
    first, second = trigs
    location = tmp_path / "kg"
    load_oxigraph(first, location)
    old = location.resolve()
    server = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "-q", "serve", "--port", "0", "--workers", "3", "--store", f"oxigraph:{location}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        url = server.stdout.readline().strip()
        assert url.startswith("http://"), server.stderr.read()
        answers: list[tuple] = []
        per_client: list[list[int | None]] = [[], [], []]
        stop = threading.Event()

        def client(seen: list):
            while not stop.is_set():
                answer = _count(url)
                answers.append(answer)
                seen.append(answer[1])

        threads = [threading.Thread(target=client, args=(seen,)) for seen in per_client]
        for t in threads:
            t.start()
        time.sleep(1.0)
        before = len(answers)
        subprocess.run([sys.executable, "-m", "kg.cli", "-q", "load", str(second), "--store", f"oxigraph:{location}"],
                       check=True, timeout=120)
        reloaded = len(answers)
        time.sleep(1.5)
        stop.set()
        for t in threads:
            t.join(30)
        after = _count(url)
        assert before > 0 and reloaded > before and len(answers) > reloaded  # queries before, during, after
        errors = [a for a in answers if a[0] != 200]
        assert errors == []
        assert {a[1] for a in answers} <= {0, 1}
        assert answers[0][1] == 0 and after[:2] == (200, 1)
        # Each client saw the old count and then the new one, never the old one again.
        for seen in per_client:
            assert seen == sorted(seen), seen
        # The old version is removed once every worker has let go of it (an idle worker within a second or two).
        deadline = time.monotonic() + 10
        while old.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not old.exists()
        assert _versions(location) == [location.resolve().name]
    finally:
        server.terminate()
        server.wait(10)


def test_busy_port_is_exit_2_with_a_message(trigs, caplog):
    """A port in use gave a traceback."""
    import socket

    first, _ = trigs
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port), "--dataset", str(first)]) == 2
    assert any("cannot listen" in r.getMessage() and "in use" in r.getMessage() for r in caplog.records)


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # a zombie has ended
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_workers_end_with_the_server(trigs, how):
    """Stopping `kg serve` with kill left its worker processes running for ever (holding the store open)."""
    import signal

    first, _ = trigs
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "-q", "serve", "--port", "0", "--workers", "3",
                               "--dataset", str(first)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout.readline().startswith("http://")
        workers = _children(server.pid)
        assert len(workers) == 3
        server.send_signal(getattr(signal, how))
        server.wait(20)
        deadline = time.monotonic() + 10
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(map(_alive, workers))
    finally:
        if server.poll() is None:
            server.kill()
