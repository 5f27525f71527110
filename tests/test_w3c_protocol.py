"""The W3C SPARQL 1.1 Protocol tests against `kg serve`, every expectation checked.

The manifest comes from the rdflib sdist on PyPI at test time (cached; the test fails, never
skips, when it cannot be had); the requests and expectations are in benchmarks/protocol_suite.py,
which also runs `oxigraph serve` beside ours: `python benchmarks/protocol_suite.py`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("protocol_suite", ROOT / "benchmarks" / "protocol_suite.py")
suite = importlib.util.module_from_spec(_spec)
sys.modules["protocol_suite"] = suite  # dataclasses look their module up while the file runs
_spec.loader.exec_module(suite)

READ_ONLY = sorted(name for name, case in suite.CASES.items() if not case.update)
UPDATES = sorted(name for name, case in suite.CASES.items() if case.update)


@pytest.fixture(scope="module")
def manifest() -> list[tuple[str, str]]:
    try:
        return suite.manifest_tests(suite.fetch_manifest())
    except RuntimeError as exc:
        pytest.fail(f"the W3C protocol manifest cannot be had: {exc}")


@pytest.fixture(scope="module")
def endpoint():
    server, url = suite.start_ours()
    yield url
    server.close()


def test_every_manifest_test_has_a_case(manifest):
    """A manifest with a test we do not run must not pass quietly."""
    assert len(manifest) == 34
    assert sorted(name for name, _ in manifest) == sorted(suite.CASES)
    assert all(label for _, label in manifest)


@pytest.mark.parametrize("name", READ_ONLY)
def test_protocol(manifest, endpoint, name):
    passed, why = suite.check(endpoint, name)
    assert passed, why


@pytest.mark.parametrize("name", UPDATES)
def test_update_tests_are_refused_with_400(manifest, endpoint, name):
    """The endpoint is read-only: each update test is refused with 400 and says so."""
    passed, why = suite.check(endpoint, name)
    assert not passed and why.startswith("refused (400): this endpoint is read-only"), why
