"""The site in a real browser: Debian's headless Chromium driven by selenium.

The site is built from the example corpus and served by `kg serve --site`
Chromium is started with its background traffic off and a proxy on a local
port that records every request sent to it: loopback is not proxied, so any
request that would leave the machine reaches the recorder and fails the test.
Chrome's performance log is read as well. A screenshot of the home page is
saved as tests/artifacts/site-home.png for CI to keep.

Skipped only when /usr/bin/chromium or /usr/bin/chromedriver is missing
(.ci/run installs the Debian packages `chromium` and `chromium-driver`).
"""

from __future__ import annotations

import json
import shutil
import socketserver
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import free_port
from test_site_serve import served_site  # noqa: F401 - the site built from the example corpus, served

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver); .ci/run installs them",
)
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the test extra")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


class _Recorder(socketserver.ThreadingTCPServer):
    """A proxy that forwards nothing: it records each request line and hangs up."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int) -> None:
        self.seen: list[str] = []
        super().__init__(("127.0.0.1", port), _RecordHandler)


class _RecordHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline(4096).decode("latin-1").strip()
        if line:
            self.server.seen.append(line)
        self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.fixture(scope="module")
def recorder():
    server = _Recorder(free_port())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory, recorder):
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1000", "--disable-domain-reliability", "--no-pings",
                 "--disable-client-side-phishing-detection", "--disable-default-apps", "--no-default-browser-check",
                 "--disable-features=OptimizationHints,OptimizationGuideModelDownloading,MediaRouter,NetworkTimeServiceQuerying",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
                 f"--proxy-server=http://127.0.0.1:{recorder.server_address[1]}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.add_experimental_option("prefs", {"net.network_prediction_options": 2, "search.suggest_enabled": False})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


# Chromium's own traffic (updates, accounts, its default search engine), which no
# flag fully stops; the recorder receives it, so it leaves nothing either.
BROWSER_SERVICES = (".google.com:", ".googleapis.com:", ".gvt1.com:", "start.duckduckgo.com:", "clients2.google.com/",
                    "update.googleapis.com/")


def browser_service(request_line: str) -> bool:
    return any(host in request_line for host in BROWSER_SERVICES)


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def local(url: str, base: str) -> bool:
    return url.startswith((base + "/", "data:", "about:", "file://")) or url == base


def test_every_page_loads_without_console_errors_or_outside_requests(browser, served_site, recorder):
    url, site = served_site
    browser.get_log("browser"), browser.get_log("performance")
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    internal: set[str] = set()
    for page in pages:
        browser.get(f"{url}/{page}")
        assert console_errors(browser) == [], page
        for href in browser.execute_script(
                "return Array.from(document.querySelectorAll('a[href]'), a => new URL(a.getAttribute('href'), document.baseURI).href)"
            ):
            if href.startswith(url):
                internal.add(href.split("#")[0])
    requested = requested_urls(browser)
    assert requested and [u for u in requested if not local(u, url)] == []
    assert [line for line in recorder.seen if not browser_service(line)] == []
    broken = []
    for link in sorted(internal):
        request = urllib.request.Request(link, headers={"Accept": "text/html"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            broken.append((link, status))
    assert broken == []
    assert any("/run/author-works?" in link for link in internal)  # the "run on kg serve" links were followed too


def test_the_recorder_catches_a_request_that_leaves(browser, recorder):
    """The control: a page that loads from elsewhere is seen, so the check above can fail."""
    browser.get("data:text/html,<img src='http://example.org/leak.png'>")
    WebDriverWait(browser, 10).until(lambda d: any("example.org" in line for line in recorder.seen))
    assert [line for line in recorder.seen if "example.org" in line] == ["GET http://example.org/leak.png HTTP/1.1"]
    browser.get_log("browser")  # the failed image is this page's console error, not the site's


def test_the_search_box_finds_repper(browser, served_site):
    url, _ = served_site
    browser.get(f"{url}/index.html")
    box = browser.find_element(By.ID, "q")
    box.send_keys("Repper", Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results a"))
    results = browser.find_elements(By.CSS_SELECTOR, "#search-results a")
    assert [a.text for a in results] == ["Julie Repper"]
    results[0].click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/person/julie-repper.html"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Julie Repper"
    assert console_errors(browser) == []


def test_search_works_from_the_file_system(browser, served_site):
    _, site = served_site
    browser.get((site / "search.html").as_uri() + "?q=peer%20support%20worker")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results a"))
    labels = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#search-results a")]
    assert "peer support worker" in labels
    assert console_errors(browser) == []


def test_charts_are_drawn_with_marks(browser, served_site):
    url, _ = served_site
    browser.get(f"{url}/index.html")
    bars = browser.execute_script("return document.querySelectorAll('.chart svg .mark-rect path').length")
    assert bars >= 5  # the years 2007, 2014, 2016, 2019, 2020 and the top concepts
    size = browser.execute_script("const r = document.querySelector('.chart svg').getBoundingClientRect(); return [r.width, r.height]")
    assert size[0] > 100 and size[1] > 100
    browser.get(f"{url}/person/julie-repper.html")
    assert browser.execute_script("return document.querySelectorAll('.chart svg .mark-edge').length") == 11
    ARTIFACTS.mkdir(exist_ok=True)
    browser.get(f"{url}/index.html")
    assert browser.save_screenshot(str(ARTIFACTS / "site-home.png"))
    assert (ARTIFACTS / "site-home.png").read_bytes()[:4] == b"\x89PNG"


def test_the_keyboard_reaches_the_search_box_and_the_main_links(browser, served_site):
    url, _ = served_site
    browser.get(f"{url}/index.html")
    reached = []
    for _ in range(12):  # from the top of a freshly loaded page, as a keyboard user starts
        ActionChains(browser).send_keys(Keys.TAB).perform()
        element = browser.switch_to.active_element
        reached.append(element.get_attribute("id") or element.text)
    assert "Skip to content" in reached
    for label in ("Works", "People", "Concepts", "Venues", "Curation"):
        assert label in reached
    assert "q" in reached
    browser.find_element(By.ID, "q").send_keys(Keys.SHIFT, Keys.TAB)  # and back again, without a trap
    assert browser.switch_to.active_element.get_attribute("id") != "q"


def test_pages_work_without_javascript_for_the_lists(served_site):
    url, site = served_site
    works = (site / "list/works-1.html").read_text()
    assert works.count('<li><a href="../work/') == 7
    assert "noscript" in (site / "search.html").read_text()
    assert shutil.which("true")
    assert urllib.parse.urlsplit(url).hostname == "127.0.0.1"
