"""A browser client against the endpoint: YASGUI (npm registry) in headless Chromium (Debian), driven by Selenium.

The page is served from another origin than the endpoint, as a user's YASGUI would be, so the
browser's CORS rules apply to the POSTed query. What the test needs it installs: YASGUI with npm
into a cache folder, Chromium and its driver with apt-get when they are missing; it fails, never
skips, when it cannot.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from kg.serve import ServerConfig, make_server

ROOT = Path(__file__).resolve().parent.parent

YASGUI = "@zazuko/yasgui@4.6.2"
KG = "https://w3id.org/sanctions-kg/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
QUERY = f"""PREFIX kg: <{KG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE {{ ?sanction a kg:Sanction ; rdfs:label ?label }} ORDER BY ?label"""


def _cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sanctions-kg" / "yasgui"


@pytest.fixture(scope="module")
def yasgui() -> Path:
    build = _cache() / "node_modules" / "@zazuko" / "yasgui" / "build"
    if not (build / "yasgui.min.js").exists():
        if shutil.which("npm") is None:
            pytest.fail("npm is needed to install YASGUI from the npm registry")
        run = subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(_cache()), YASGUI],
                             capture_output=True, text=True, timeout=600)
        if run.returncode != 0 or not (build / "yasgui.min.js").exists():
            pytest.fail(f"npm install {YASGUI} failed: {run.stderr[-500:]}")
    return build


@pytest.fixture(scope="module")
def browser():
    import importlib.util

    spec = importlib.util.spec_from_file_location("servers", ROOT / "benchmarks" / "servers.py")
    servers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(servers)
    try:  # one installer at a time: the Virtuoso tests may be installing in another worker
        servers.apt_install(["chromium", "chromium-driver"], ["chromium", "chromedriver"])
    except servers.ServerError as exc:
        pytest.fail(f"cannot install Debian's chromium and chromium-driver: {exc}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--window-size=1280,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=shutil.which("chromedriver")))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(yasgui, tmp_path_factory, dataset):
    """The endpoint, and a page on another origin that loads YASGUI pointed at it."""
    server = make_server(dataset, "127.0.0.1", 0, ServerConfig(timeout=20))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = tmp_path_factory.mktemp("site")
    for name in ("yasgui.min.js", "yasgui.min.css"):
        shutil.copy(yasgui / name, site / name)
    (site / "index.html").write_text(f"""<!doctype html><meta charset="utf-8">
<link rel="stylesheet" href="yasgui.min.css"><script src="yasgui.min.js"></script>
<div id="yasgui"></div>
<script>
  window.yasgui = new Yasgui(document.getElementById("yasgui"), {{
    requestConfig: {{ endpoint: "{server.url}", method: "POST" }},
    copyEndpointOnNewTab: false, persistenceId: null,
  }});
</script>""", encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    static = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=static.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{static.server_address[1]}/index.html"
    static.shutdown()
    server.close()


@pytest.mark.slow
def test_yasgui_runs_a_query_and_shows_the_table(browser, page, dataset):
    from rdflib import URIRef
    from rdflib.namespace import RDF
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    # Expected: the labels of the acts typed kg:Sanction, read from the graph itself, as YASGUI
    # shows a language-tagged literal: "text"@en.
    labels = [dataset.value(s, URIRef(RDFS_LABEL)) for s in set(dataset.subjects(RDF.type, URIRef(KG + "Sanction")))]
    expected = [f'"{label}"@{label.language}' for label in sorted(labels, key=str)]
    browser.get(page)
    wait = WebDriverWait(browser, 30)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    browser.execute_script("window.yasgui.getTab().getYasqe().setValue(arguments[0]);", QUERY)
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()  # as a user runs it
    rows = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr") or False)
    cells = [row.find_elements(By.CSS_SELECTOR, "td")[-1].text.strip() for row in rows]
    # Canada's of 2024 and five of 2021 (tests/test_serve.py, SANCTION_TYPED); the mentions are not sanctions
    assert len(expected) == 6
    assert cells == expected
