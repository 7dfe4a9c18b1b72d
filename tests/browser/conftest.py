"""A real server in a subprocess and a headless Chromium driving it through the pages.

The browser is the system's Chromium (/usr/bin/chromium); these tests never download one.
Screenshots of every step go to test-output/browser/ at the repository root.
"""

import json
from pathlib import Path

import pytest

from tests.trust.live import REPO, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "test-output" / "browser"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE_CONTEXT = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Mobile Safari/537.36"
    ),
    "locale": "zh-CN",
}
DESKTOP_CONTEXT = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


class Site:
    """The running server plus the browser, with the few things every test needs."""

    def __init__(self, server: LiveServer, browser):
        self.server = server
        self.url = server.url
        self.browser = browser
        self.server_errors: list[str] = []
        self.contexts = []

    def _context(self, options: dict):
        context = self.browser.new_context(**options)
        context.set_default_timeout(15_000)

        def on_response(response):
            if response.status >= 500:
                self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

        context.on("response", on_response)
        self.contexts.append(context)
        return context

    def phone(self):
        """A new page on a phone-sized touch screen, as a member of the public uses it."""
        return self._context(PHONE_CONTEXT).new_page()

    def desktop(self):
        return self._context(DESKTOP_CONTEXT).new_page()

    def service(self, code: str) -> dict:
        """Run Python against the server's database (services only) and return the JSON it prints."""
        result = self.server.manage("shell", "-c", code)
        return json.loads(result.stdout.strip().splitlines()[-1])


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); the browser tests need it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(chromium, tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("browser-data"))
    try:
        server.setup_world()
        server.start()
        yield Site(server, chromium)
    finally:
        server.close()


@pytest.fixture
def live(site):
    """The site, failing the test if any page answered with a server error meanwhile."""
    site.server_errors.clear()
    yield site
    while site.contexts:
        site.contexts.pop().close()
    assert not site.server_errors, f"server errors: {site.server_errors}"
