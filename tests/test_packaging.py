"""A wheel built from the checkout and installed into a fresh venv works away from the checkout.

The editable install that the other tests use reads ontology/, queries/ and data/
from the working tree, so it cannot see a wheel that leaves them out (as the
first wheels did: `kg query --list` printed nothing with exit 0 and `kg build`
found no ontology). Here the wheel is built from a copy of the checkout, its
contents are compared with the checkout's files, and it is installed with its
dependencies (pip, from the machine's package index) into a new venv, whose
`kg` runs the main job from a folder outside the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: What the checkout holds that a build must not see (and that a clean clone does not have).
_NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "out", "*.egg-info", "node_modules", "__pycache__", ".pytest_cache", "results",
)

#: The repository's resource folders and the package they ship as.
RESOURCES = {"ontology": "kg/ontology", "queries": "kg/queries", "data": "kg/data", "rules": "kg/rules"}

pytestmark = pytest.mark.slow


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def _kg(venv: Path, *args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "kg"), *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source") / "sanctions-kg"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCES)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
                   check=True, capture_output=True, timeout=600)
    (found,) = dist.glob("sanctions_kg-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv with only the wheel and its runtime dependencies."""
    env_dir = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, timeout=300)
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", "--no-compile", str(wheel)],
                   check=True, capture_output=True, timeout=900)
    return env_dir


def test_wheel_holds_every_resource_and_module(wheel):
    """Every file of ontology/ (shapes included), queries/ and data/, and every module of kg/, is in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, package in RESOURCES.items():
        expected = {f"{package}/{name}" for name in _files(ROOT / folder)}
        assert expected and expected <= names, sorted(expected - names)
    modules = {f"kg/{name}" for name in _files(ROOT / "kg") if name.endswith(".py")}
    assert modules <= names, sorted(modules - names)


def test_installed_wheel_runs_the_main_job_outside_the_checkout(venv, tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import kg, kg.paths; print(kg.__file__); "
                            "print(kg.paths.ontology_dir()); print(kg.paths.data_dir())"],
                           cwd=work, capture_output=True, text=True, check=True)
    for line in where.stdout.splitlines():  # the installed copies, not the checkout's
        assert line.startswith(str(venv)), line
    # Test-only libraries stay out of a user's install, and the main job below runs without them.
    absent = subprocess.run([str(venv / "bin" / "python"), "-c", "import importlib.util as u; "
                             "print([m for m in ('scipy', 'owlready2', 'pytest') if u.find_spec(m)])"],
                            cwd=work, capture_output=True, text=True, check=True)
    assert absent.stdout.strip() == "[]"

    listed = _kg(venv, "query", "--list", cwd=work)
    assert listed.returncode == 0, listed.stderr
    names = {line for line in listed.stdout.splitlines() if line and not line.startswith(" ")}
    assert names == {p.stem for p in (ROOT / "queries").glob("*.rq")}

    ran = _kg(venv, "-q", "run", cwd=work)
    assert ran.returncode == 0, ran.stderr
    out = work / "out"
    for name in ("kg.trig", "sanctions.gexf", "sanctions.graphml", "report/report.html", "report/network.png"):
        assert (out / name).is_file(), name
    # The seed data shipped in the wheel builds the same graph, byte for byte, as the checkout's data/.
    from kg.cli import main

    assert main(["-q", "build", "--out", str(tmp_path / "checkout-out")]) == 0
    assert (out / "kg.trig").read_bytes() == (tmp_path / "checkout-out" / "kg.trig").read_bytes()

    answered = _kg(venv, "-q", "query", "counter-sanctions", "--param", "responder=China", "--format", "csv", cwd=work)
    assert answered.returncode == 0, answered.stderr
    # xinjiang-round-2021.txt names nine targets of China's counter-sanctions: Adrian Zenz, Bjorn Jerden,
    # five members of the European Parliament, the Mercator Institute and a Danish democracy organisation.
    assert len(answered.stdout.strip().splitlines()) - 1 == 9


def test_installed_wheel_does_not_write_into_its_seed_data(venv, tmp_path):
    """kg add and kg review --confirm write into the data folder: by default that is the seed data, which in an
    installed wheel lives in site-packages; they must refuse (exit 2, saying what to do) and write nothing."""
    article = tmp_path / "note.txt"
    article.write_text("Canada imposed sanctions on two officials on Monday.\n", encoding="utf-8")
    site = venv / "lib"
    before = sorted(p.relative_to(site) for p in site.rglob("kg/data/**/*") if "__pycache__" not in p.parts)
    added = _kg(venv, "add", str(article), cwd=tmp_path)
    assert added.returncode == 2 and "not for editing" in added.stderr and "--data" in added.stderr, added.stderr
    confirmed = _kg(venv, "review", "--all", cwd=tmp_path)
    assert confirmed.returncode == 2 and "not for editing" in confirmed.stderr, confirmed.stderr
    assert sorted(p.relative_to(site) for p in site.rglob("kg/data/**/*") if "__pycache__" not in p.parts) == before


def test_installed_wheel_with_a_resource_missing_fails_clearly(venv, tmp_path):
    """A missing catalogue is exit 2 with the folder named, never an empty listing with exit 0."""
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import kg.queries, os; print(os.path.dirname(kg.queries.__file__))"],
                               cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip())
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    moved = []
    try:
        for rq in site.glob("*.rq"):
            moved.append(shutil.move(str(rq), hidden / rq.name))
        listed = _kg(venv, "query", "--list", cwd=tmp_path)
        assert listed.returncode == 2 and listed.stdout == ""
        assert f"{site}: no queries (*.rq) found" in listed.stderr
    finally:
        for path in moved:
            shutil.move(path, site / Path(path).name)


def test_kg_home_points_at_another_copy(tmp_path):
    """KG_HOME without the folders is a clear error naming it (exit 2), not an empty catalogue."""
    env = {**os.environ, "KG_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "query", "--list"], capture_output=True, text=True,
                          env=env, cwd=tmp_path)
    assert proc.returncode == 2 and f"{tmp_path / 'queries'}: no such folder" in proc.stderr


def test_editable_install_reads_the_working_tree():
    """`pip install -e .` (the README's) must read the checkout's folders, so an edit shows at once."""
    from kg import paths

    assert paths.ontology_dir() == ROOT / "ontology"
    assert paths.shapes_dir() == ROOT / "ontology" / "shapes"
    assert paths.queries_dir() == ROOT / "queries"
    assert paths.data_dir() == ROOT / "data"


def _imports(path: Path) -> set[str]:
    """The top-level names of the absolute imports of a module, wherever they stand (inside functions too)."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _requirement_names(requirements: list[str]) -> set[str]:
    import re

    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def test_runtime_dependencies_are_what_the_commands_import():
    """Every runtime dependency is imported by kg's code, and kg imports nothing else from outside the standard
    library. owlready2 (27 MB) was a runtime dependency that only a test used, and scipy one that only networkx's
    PageRank and HITS needed although igraph computes them."""
    import tomllib
    from importlib.metadata import packages_distributions

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _requirement_names(project["dependencies"])
    test_only = _requirement_names(project["optional-dependencies"]["test"])
    distribution = {module: {d.lower().replace("_", "-") for d in dists}
                    for module, dists in packages_distributions().items()}
    #: A module of kg that no command imports, kept for the tests: it may use the test extra.
    test_modules = {"reasoner.py"}
    #: Runtime dependencies that kg needs without importing them itself, and why.
    indirect = {"lxml-html-clean": "trafilatura's justext imports lxml.html.clean, which lxml >= 5.2 moved there"}
    used = set()
    for path in sorted((ROOT / "kg").rglob("*.py")):
        name = path.relative_to(ROOT / "kg").as_posix()
        for module in _imports(path) - set(sys.stdlib_module_names) - {"kg", "__future__"}:
            dists = distribution.get(module, {module})
            allowed = runtime | (test_only if name in test_modules else set())
            assert dists & allowed, f"kg/{name} imports {module}, which no runtime dependency provides"
            if name not in test_modules:
                used |= dists
    assert runtime - set(indirect) <= used, f"runtime dependencies no command imports: {sorted(runtime - used)}"
    assert set(indirect) <= runtime
