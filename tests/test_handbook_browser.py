"""The built handbook in a real browser: Playwright driving Debian's Chromium over a local web server.

CI installs Chromium (`.ci/run`) and sets KAMTRAIN_REQUIRE_BROWSER=1, so these tests cannot pass by
skipping there; elsewhere they skip with the reason when no browser is installed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kamtrain.handbook import build_handbook
from tests.conftest import REPO, require_or_skip

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The handbook built from the built-in bank, served on a random localhost port."""
    site = build_handbook(tmp_path_factory.mktemp("handbook") / "site")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        require_or_skip("KAMTRAIN_REQUIRE_BROWSER", f"no browser: {CHROMIUM} is absent (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip("KAMTRAIN_REQUIRE_BROWSER", "playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()


def test_the_home_page_renders_in_vietnamese(page: Any, site_url: str) -> None:
    page.goto(f"{site_url}/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("article h1").inner_text().rstrip("¶") == "Sổ tay nghề Account"
    assert page.locator("nav.md-nav--primary").get_by_text("Năng lực", exact=True).first.is_visible()


def test_the_language_switcher_leads_to_the_same_page_in_english(page: Any, site_url: str) -> None:
    page.goto(f"{site_url}/competencies/negotiation/")
    page.locator(".md-header__option .md-select").hover()
    page.locator(".md-select__link[hreflang='en']").click()
    page.wait_for_url("**/en/competencies/negotiation/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Negotiation" in page.locator("article h1").inner_text()


def test_searching_without_diacritics_finds_the_negotiation_page(page: Any, site_url: str) -> None:
    page.goto(f"{site_url}/")
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("dam phan")
    hit = page.locator(".md-search-result__list a[href*='competencies/negotiation/']").first
    hit.wait_for()
    assert "Đàm phán" in hit.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "handbook-search-dam-phan.png"))


def test_a_competency_page_shows_its_rubric_table(page: Any, site_url: str) -> None:
    page.goto(f"{site_url}/competencies/negotiation/")
    table = page.locator("article table").first
    table.wait_for()
    headers = table.locator("thead th").all_inner_texts()
    assert headers[0] == "Điểm" and {"AE", "AM", "KAM", "SAM"} & set(headers)
    assert table.locator("tbody tr").count() == 5
    assert all(cell.strip() for cell in table.locator("tbody td").all_inner_texts())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "handbook-competency-negotiation.png"), full_page=False)
