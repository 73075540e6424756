"""Headless Chromium for the tests that open a page: offline, with a fresh profile, and every
request that is not a local file refused and recorded, so a page that fetches anything fails.

Without CI the tests that import this skip only when the browser is missing; in CI they run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
IN_CI = os.environ.get("CI", "").lower() == "true"

if not CHROMIUM.exists() and not IN_CI:
    pytest.skip(f"{CHROMIUM} is not installed (CI installs it)", allow_module_level=True)

from playwright.sync_api import BrowserContext, Page, sync_playwright  # noqa: E402


@contextmanager
def offline_browser(width: int = 1280, height: int = 800, local: tuple[str, ...] = ("file://",),
                    accept_downloads: bool = False) -> Iterator[tuple[BrowserContext, list[str]]]:
    """A browser context and the list of the requests it refused (anything not `local`)."""
    refused: list[str] = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            offline=True, viewport={"width": width, "height": height},
            accept_downloads=accept_downloads)

        def guard(route) -> None:
            if route.request.url.startswith(local):
                route.continue_()
            else:
                refused.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        yield context, refused
        context.close()


def open_page(context: BrowserContext, path: Path, ready: str) -> tuple[Page, list[str]]:
    """Open `path`, wait until the JavaScript expression `ready` holds; the page and the
    errors it raises."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_function(ready)
    return page, errors
