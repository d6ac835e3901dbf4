"""Project-wide test fixtures: a real Chromium for browser tests.

Browser tests use Debian's ``chromium`` through Playwright's ``executable_path`` — never a
browser download. Where Chromium is missing they are skipped with the command that installs
it; with ``YIWANG_REQUIRE_BROWSER=1`` (CI) a missing browser fails the run instead.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_HINT = "sudo apt-get install -y chromium fonts-noto-cjk"


def _chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium():
    path = _chromium_path()
    if path is None:
        message = f"Chromium is not installed; install it with: {INSTALL_HINT}"
        if os.environ.get("YIWANG_REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # With that loop running, asgiref (which keeps Django's connections) gives this thread a second set of
    # connections, and neither set sees the other. Each set is closed when the other takes over: the first
    # would stay open (idle) all the browser tests long, the second past the end of the run, when the test
    # database is dropped ("database … is being accessed by other users").
    _close_connections(connections)
    _retry_screenshots()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
        _close_connections(connections)


def _retry_screenshots() -> None:
    """A screenshot is the tests' record, not what they assert: Chromium now and then answers a full-page
    capture on a loaded machine with "Unable to capture screenshot" (Page.captureScreenshot), failing a
    test whose assertions all passed. Such a capture is tried again, up to three times in all; any other
    error, and a third refusal, still fail the test."""
    import time

    from playwright.sync_api import Error, Page

    if getattr(Page.screenshot, "retries_refused_captures", False):
        return
    screenshot = Page.screenshot

    def retried(self, *args, **kwargs):
        for attempt in range(3):
            try:
                return screenshot(self, *args, **kwargs)
            except Error as error:
                if "Unable to capture screenshot" not in str(error) or attempt == 2:
                    raise
                time.sleep(0.5)

    retried.retries_refused_captures = True
    Page.screenshot = retried


def _close_connections(connections) -> None:
    """Close this thread's database connections, except one inside a transaction (a test's own)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, whose request threads (a browser's idle keep-alive connections)
    are ended before it stops sharing the in-memory SQLite connection (``yiwang.core.tests.live_server``)."""
    from yiwang.core.tests.live_server import live_server_start

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = live_server_start(addr)
    yield server
    server.stop()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone_page(chromium):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def signed_in(chromium, live_server):
    """``signed_in(username, width=1280)``: a page in a new browser context signed in as that test user
    (``yiwang.core.tests.browser.sign_in``); every context it opened is closed when the test ends, so
    none keeps keep-alive connections to the live server into the next test."""
    from yiwang.core.tests.browser import sign_in

    pages = []

    def open_as(username, width=1280, *, timeout=15000):
        pages.append(sign_in(chromium, live_server, username, width, timeout=timeout))
        return pages[-1]

    yield open_as
    for opened in pages:
        opened.context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (from npm) in the page and return violations of the given impacts."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing at {AXE_JS}; run `npm ci`", pytrace=False)
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


@pytest.fixture
def axe():
    return axe_violations


@pytest.fixture
def screenshot_dir() -> Path:
    directory = Path(__file__).resolve().parent / ".test-media" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(autouse=True)
def official_calendar(request):
    """Every database test sees the official 2004–2026 calendar.

    The data migration seeds it, but a transactional test (live_server, threads) flushes the
    tables when it ends; later tests would silently fall back to provisional statutory rules.
    """
    from yiwang.workdays import calendar

    calendar.reset()
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames):
        from yiwang.workdays.seeding import seed_official_calendar

        request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
        seed_official_calendar()
    yield
    calendar.reset()


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return "transactional_db" in request.fixturenames or "live_server" in request.fixturenames


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters (in the cache) start at zero in every test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
