"""Browser tests: Playwright (pytest-playwright) driving Debian's Chromium.

Debian's package puts Chromium at /usr/bin/chromium; Playwright's own browser
downloads are not used. CHROMIUM_PATH (which `make test` sets to the browser it
finds) overrides the path. Without a browser the whole folder is skipped with
the reason shown, except under CI=true, where a missing browser is a failure.

The tests run against pytest-django's `live_server`, so they need the database
committed (`transactional_db`, pulled in by the `live` fixture below).
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise
# refuse ORM calls made from the test (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="session", autouse=True)
def _chromium_present():
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    print(f"\nSkipping the browser tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, _chromium_present):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Vietnamese first, as the portal's users have it; a desktop-sized window.
    return {
        **browser_context_args,
        "locale": "vi-VN",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def live(live_server, transactional_db):
    """The live server's base URL, with the database committed for its thread."""
    return live_server.url


@pytest.fixture
def page(page):
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def shot(page):
    """shot("name") saves a full-page screenshot to tests/e2e/screenshots/name.png."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
