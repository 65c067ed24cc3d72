"""The documentation site, built strictly and opened in a real headless browser.

``mkdocs build --strict`` writes the site; a loopback HTTP server serves it; Debian's Chromium
(driven by Playwright, whose own browser download is never used) checks that the pages render,
that the navigation reaches a provider page, and that the search finds a provider. Where
Chromium is missing the browser test skips naming the package, except in CI
(``UNSEND_REQUIRE_BROWSER=1``, set by ``.ci/run`` after installing it).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MISSING = "Chromium is not installed: the browser test needs the Debian package chromium"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mkdocs")
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_the_site_has_every_page_and_the_generated_parts(site: Path) -> None:
    for page in ("index.html", "providers/twilio/index.html", "reference/index.html"):
        assert (site / page).exists(), page
    benchmarks = (site / "benchmarks" / "index.html").read_text()
    results = (ROOT / "benchmarks" / "results.md").read_text()
    first_row = next(line for line in results.splitlines() if line.startswith("| QStash"))
    assert first_row.split("|")[2].strip() in benchmarks  # generated from results.md
    assert (site / "results.png").read_bytes().startswith(b"\x89PNG")
    twilio = (site / "providers" / "twilio" / "index.html").read_text()
    assert "30409" in twilio  # its outcome rows and its adapter's docstring
    reference = (site / "reference" / "index.html").read_text()
    assert "cancel_many" in reference
    assert "_LAZY" not in reference


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("UNSEND_REQUIRE_BROWSER"):
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            launched.close()


def test_pages_render_navigation_works_and_search_finds_a_provider(
    served: str, browser: object
) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(served + "/")
    assert "unsend" in page.title()
    assert page.locator("h1").first.inner_text().rstrip("¶") == "unsend"
    page.get_by_role("link", name="Novu", exact=True).first.click()
    page.wait_for_url("**/providers/novu/")
    assert page.locator("h1").first.inner_text().rstrip("¶") == "Novu"
    assert "nothing was waiting" in page.content()
    page.goto(served + "/")
    search = page.locator("input.md-search__input")
    search.focus()
    page.keyboard.type("SendGrid", delay=30)  # keystrokes: the search listens for them
    hits = page.locator(".md-search-result__item")
    hits.first.wait_for(timeout=10_000)
    assert "SendGrid" in hits.first.inner_text()
    assert errors == []
