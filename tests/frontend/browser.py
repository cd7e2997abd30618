"""Headless Chromium from Debian's ``chromium`` package, driven by Playwright.

Playwright never downloads a browser here: it is given ``/usr/bin/chromium``
(``KARMAYOGI_TEST_CHROMIUM`` to override). A browser that cannot start fails
the test that asked for it, naming the fix; it is never a skip. Every request
to anything but the gateway under test is refused and recorded, so a page
that needs the internet fails its test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("KARMAYOGI_TEST_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


@dataclass
class Outside:
    """Requests the page tried to make to anywhere but the gateway."""

    urls: list[str] = field(default_factory=list)


@contextmanager
def chromium(base_url: str, profile: Path, *, viewport: dict[str, int] | None = None) -> Iterator[tuple]:  # type: ignore[type-arg]
    """A page in a fresh profile (``profile`` must be a new empty folder)."""
    from playwright.sync_api import Error, sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"No Chromium at {CHROMIUM}: apt-get install -y chromium (.ci/run does it).")
    gateway = urlsplit(base_url).netloc
    outside = Outside()
    with sync_playwright() as playwright:
        try:
            context = playwright.chromium.launch_persistent_context(
                str(profile),
                executable_path=CHROMIUM,
                headless=True,
                args=FLAGS,
                viewport=viewport or {"width": 1280, "height": 900},
                is_mobile=viewport is not None,
                has_touch=viewport is not None,
            )
        except Error as exc:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}")

        def guard(route):  # type: ignore[no-untyped-def]
            if urlsplit(route.request.url).netloc == gateway:
                route.continue_()
            else:
                outside.urls.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        try:
            page = context.pages[0] if context.pages else context.new_page()
            yield page, outside
        finally:
            context.close()
