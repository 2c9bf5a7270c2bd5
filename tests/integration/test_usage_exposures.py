"""`usage --write-exposures` on the package's demo: real dbt parses the exposures it writes, and
`dbt docs` shows them, in a real browser, downstream of the governed models."""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from dbt_harness import DbtProject
from exposure_meta import statsig_metric
from exposures_support import JINJA_DESCRIPTION, demo_with_exposures

pytestmark = pytest.mark.dbt

PACKAGE = "model.statsig_sources"
EXPECTED = {
    "statsig_checkout_funnel": [f"{PACKAGE}.demo_app_events", f"{PACKAGE}.demo_orders"],
    "statsig_hidden_minutes": [f"{PACKAGE}.demo_user_daily_activity"],
    "statsig_orders_total": [f"{PACKAGE}.demo_orders"],
    "statsig_revenue_per_active_user": [
        f"{PACKAGE}.demo_user_daily_activity",
        f"{PACKAGE}.demo_user_daily_revenue",
    ],
}


@pytest.fixture(scope="module")
def exposed(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtProject, Path]:
    """A copy of the repository's dbt files, parsed, given exposures by `usage`, and parsed again."""
    project, exposures = demo_with_exposures(repo_root, tmp_path_factory.mktemp("exposures"))
    parsed = project.invoke("parse")
    assert parsed.success, parsed.exception
    return project, exposures


def _manifest(project: DbtProject) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.project_dir / "target" / "manifest.json").read_text())
    return data


def test_dbt_parses_the_exposures_and_each_depends_on_the_models_its_metric_reads(
    exposed: tuple[DbtProject, Path],
) -> None:
    exposures = _manifest(exposed[0])["exposures"]
    found = {e["name"]: sorted(e["depends_on"]["nodes"]) for e in exposures.values()}
    assert found == EXPECTED


def test_jinja_in_statsig_text_reaches_dbt_literally(exposed: tuple[DbtProject, Path]) -> None:
    exposure = _manifest(exposed[0])["exposures"]["exposure.statsig_sources.statsig_orders_total"]
    assert exposure["label"] == "Orders {{ total }}"
    assert exposure["description"] == JINJA_DESCRIPTION
    assert statsig_metric(exposure)["id"] == "Orders {{ total }}::user_warehouse"
    assert exposure["type"] == "analysis"
    assert exposure["owner"]["name"] == "Statsig"


# --- the same exposures in dbt docs, in a real browser ----------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def docs_site(exposed: tuple[DbtProject, Path]) -> Iterator[str]:
    """`dbt docs generate` (no warehouse needed: empty catalog), served on 127.0.0.1."""
    project, _ = exposed
    generated = project.invoke("docs", "generate", "--no-compile", "--empty-catalog")
    assert generated.success, generated.exception
    handler = functools.partial(QuietHandler, directory=str(project.project_dir / "target"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but /usr/bin/chromium or /usr/bin/chromedriver is missing")
        pytest.skip(
            "needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-dev-shm-usage",
        # dbt docs' page loads a tracking script from a CDN: resolve nothing but loopback.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def _text(browser: Any, xpath: str) -> str:
    """The text of the first element matching `xpath`, once the Angular app has rendered it."""
    from selenium.webdriver.support.ui import WebDriverWait

    found = WebDriverWait(browser, 30).until(lambda driver: driver.find_elements("xpath", xpath))
    return str(found[0].text)


@pytest.mark.browser
def test_docs_list_the_statsig_exposure_under_the_model_and_the_model_under_the_exposure(
    docs_site: str, browser: Any
) -> None:
    browser.get(f"{docs_site}#!/model/{PACKAGE}.demo_orders")
    tab = "//reference-list//a[normalize-space(text())='Exposures']"
    _text(browser, tab)
    browser.find_element("xpath", tab).click()
    referenced_by = _text(
        browser, "//reference-list[.//li[contains(@class, 'active')]/a[contains(., 'Exposures')]]"
    )
    assert {"statsig_checkout_funnel", "statsig_orders_total"} <= set(referenced_by.splitlines())

    browser.get(f"{docs_site}#!/exposure/exposure.statsig_sources.statsig_checkout_funnel")
    depends_on = _text(browser, "//h6[normalize-space(text())='Depends On']/..")
    assert depends_on.splitlines() == ["Depends On", "Models", "demo_app_events", "demo_orders"]
