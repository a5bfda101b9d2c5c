"""Browser tests: Playwright driving the Debian Chromium against pytest-django's live server.

Skipped when ``/usr/bin/chromium`` is missing, unless ``GUESTS_REQUIRE_BROWSER=1`` (CI), where
a missing browser fails the run. Never run ``playwright install``: the system Chromium is used.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread: Django would take the ORM calls of
# the test for async code and refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("GUESTS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"GUESTS_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def demo_static(settings):
    """Serve the demo's vendored Bootstrap CSS (``example_site/static``) in screenshots."""
    static = Path(__file__).resolve().parents[2] / "example_site" / "static"
    dirs = [Path(d) for d in getattr(settings, "STATICFILES_DIRS", [])]
    if static not in dirs:
        settings.STATICFILES_DIRS = [*dirs, static]
