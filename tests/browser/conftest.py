"""Browser tests: the real service (`lapor-ledger serve`, gunicorn) and Debian's Chromium.

Chromium comes from Debian (`apt-get install chromium`), never from `playwright install`. When
/usr/bin/chromium is missing the session installs it; if that fails the tests fail under
CI=true and are skipped elsewhere. One server and one browser serve every test of the folder;
screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

from tests.browser.support import Site, issue_tokens, server_environment
from tests.e2e.servers import ROOT, serving

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
PHONE: ViewportSize = {"width": 390, "height": 844}  # a small phone screen
IN_CI = os.environ.get("CI") == "true"


def _apt_get(*args: str) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(
            ["apt-get", *args], env=env, capture_output=True, timeout=900, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, installed with apt-get when it is missing."""
    if not CHROMIUM.exists() and not _apt_get("install", "-y", "-q", "chromium"):
        _apt_get("update", "-q")
        _apt_get("install", "-y", "-q", "chromium")
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} and `apt-get install chromium` failed"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Browser]:
    """One headless Chromium for the session (Playwright's sync API, its own event loop)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The real service on a SQLite file, with tokens for an admin, a liaison and an auditor."""
    tmp = tmp_path_factory.mktemp("web")
    env = server_environment(tmp)
    with serving(env, tmp) as server:
        yield Site(server, tmp, issue_tokens(env))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile on a phone-sized screen."""
    ctx = browser.new_context(viewport=PHONE, locale="id-ID")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A page of that profile; pages fail fast rather than wait 30 s."""
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    return opened
