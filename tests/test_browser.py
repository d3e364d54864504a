"""Every page of the report site in a real browser (Debian's chromium, driven by Playwright): no console
errors, every image loads, every local link resolves; a screenshot of each page goes to
results/screenshots/. `.ci/run` installs chromium; without it the test is skipped locally and fails in CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from patroon.data.load import load_study
from patroon.engines.detect import detect
from patroon.output.atomic import write_text
from patroon.pipeline.build import render_study
from patroon.pipeline.config import load_config
from patroon.analysis.reconciliation import check_coding
from patroon.pipeline.publish import publish_study
from patroon.pipeline.stages import run_agreement, run_analysis, run_tables
from patroon.report.site import index_html
from tests.conftest import FIXTURES, REAL_DATA, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "results" / "screenshots"

if CHROMIUM is None and os.environ.get("CI") == "true":
    pytest.fail("chromium is not installed; .ci/run must install it", pytrace=False)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """HTML reports of the fixture studies and every configured real study, plus the index."""
    out = tmp_path_factory.mktemp("site")
    studies = [load_study(FIXTURES / "mini", base=ROOT), load_study(FIXTURES / "vergelijk", base=ROOT)]
    for study_id in load_config(ROOT / "config" / "config.yaml").studies:
        if (REAL_DATA / study_id / "study.yaml").exists():
            studies.append(load_study(REAL_DATA / study_id, base=ROOT))
    for data in studies:
        results = out / "results" / data.study.id
        run_tables(data, results)
        run_analysis(data, results)
        if data.study.coding is not None:
            run_agreement(check_coding(data.root, data, ROOT), results)
        render_study(data, out / "reports" / data.study.id, ["html"], detect("pandoc"), base=ROOT,
                     log=lambda *_: None)
        # The study's data inside reports/, as `make reports` copies it (the reports link to it).
        publish_study(data.root, out / "results", out / "reports")
    write_text(out / "reports" / "index.html", index_html(studies, ["html"]))
    return out / "reports"


def crawl(page, start: Path) -> dict[Path, dict]:
    """Visit the index and every page it (transitively) links to; record what went wrong on each."""
    seen: dict[Path, dict] = {}
    queue = [start]
    problems: list[str] = []  # errors of the page being visited
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        problems.clear()
        page.goto(path.as_uri())
        # Self-contained: every image is embedded (a data: URI), so the file works when mailed on its own.
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.alt, e.complete && e.naturalWidth > 0 && e.src.startsWith('data:')])")
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        seen[path] = {"console": list(problems), "broken_images": [alt for alt, ok in images if not ok],
                      "missing_alt": [alt for alt, _ in images if not alt.strip()], "broken_links": []}
        for link in links:
            url = urlparse(link)
            if url.scheme == "file" and url.fragment and Path(unquote(url.path)) == path:
                continue  # the table of contents: anchors within the page
            if url.scheme != "file":
                seen[path]["broken_links"].append(link)  # reports must not point off the machine
                continue
            target = Path(unquote(url.path))
            if not target.exists():
                seen[path]["broken_links"].append(link)
            elif target.suffix == ".html" and target not in seen:
                queue.append(target)
    return seen


def test_every_page_loads_cleanly_and_is_screenshotted(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        pages = crawl(page, site / "index.html")
        for path in pages:
            page.goto(path.as_uri())
            shot = SCREENSHOTS / path.relative_to(site).with_suffix(".png")
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot))
        browser.close()
    n_reports = len(list(site.rglob("*.html"))) - 1
    assert len(pages) == n_reports + 1, "the index must link every report"
    problems = {str(p.relative_to(site)): {k: v for k, v in found.items() if v} for p, found in pages.items()}
    assert {p: f for p, f in problems.items() if f} == {}
    assert (SCREENSHOTS / "index.png").exists()


def test_index_reads_on_a_phone(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 375, "height": 740}, device_scale_factor=2)
        for target in [site / "index.html", next(site.rglob("gemeenten/*.html"))]:
            page.goto(target.as_uri())
            # Nothing wider than the screen: wide tables scroll inside their own box, not the page.
            assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1, target.name
        page.goto((site / "index.html").as_uri())
        page.screenshot(path=str(SCREENSHOTS / "index-phone.png"))
        browser.close()


def test_reports_read_well_on_a_wide_screen(site):
    """At 1280 px: the table of contents beside the text, nothing wider than the window (a wide table
    scrolls in its own box), the synthesis's key findings in a call-out, and links to the study's data that
    stay inside reports/."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for target in sorted(site.glob("*/synthese.html")) + sorted(site.glob("*/gemeenten/*.html"))[:2]:
            page.goto(target.as_uri())
            toc = page.eval_on_selector("nav#TOC", "e => e.getBoundingClientRect().right")
            text = page.eval_on_selector("section h1", "e => e.getBoundingClientRect().left")
            assert toc <= text, f"{target}: the table of contents is not beside the text"
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280, target
            assert page.eval_on_selector_all(
                "table", "ts => ts.every(t => t.closest('.table-scroll') !== null)"), f"{target}: a table outside its box"
            data_links = page.eval_on_selector_all("a[href*='data/']", "els => els.map(e => e.href)")
            assert data_links and all(str(site) in unquote(urlparse(h).path) for h in data_links), target
            if target.name == "synthese.html":
                assert page.query_selector(".key-findings li") is not None, f"{target}: no key findings call-out"
        browser.close()
