"""Helpers of the browser tests: the server's set-up, the API steps, axe and screenshots."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.e2e.servers import BIN, ROOT, Server, environment

_TOKENS = """
import json
from api import create_app
from api.extension import usecases
with create_app().app_context():
    made = {name: usecases().tokens.create(role, agency).bearer
            for name, role, agency in json.loads(input())}
print(json.dumps(made))
"""
ROLES = [
    ("admin", "admin_national", "kemenpanrb"),
    ("liaison", "liaison", "kota-serang"),
    ("auditor", "ombudsman_auditor", "ombudsman-ri"),
]
SERIOUS = ("serious", "critical")
_axe = Axe()


@dataclass
class Site:
    """The running service, its folder and bearer tokens by name."""

    server: Server
    tmp: Path
    tokens: dict[str, str]

    @property
    def base(self) -> str:
        return self.server.base

    @property
    def database(self) -> str:
        return self.server.env["LEDGER_DATABASE_URL"]

    def act(self, who: str, report_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """Append an action through the API as the named token, waiting for its checkpoint."""
        response = requests.post(
            f"{self.base}/v1/reports/{report_id}/actions/{action}",
            json=body,
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        found: dict[str, Any] = response.json()
        return found


def server_environment(tmp: Path) -> dict[str, str]:
    """The service's settings: generous receipt limits (one client does every look-up)."""
    return environment(
        f"sqlite:///{tmp / 'ledger.sqlite3'}",
        tmp,
        LEDGER_RECEIPT_LIMIT_PER_CLIENT="1000",
        LEDGER_RECEIPT_LIMIT_TOTAL="1000",
        LEDGER_TLOG_INTERVAL="0.2",
    )


def issue_tokens(env: dict[str, str]) -> dict[str, str]:
    """Issue the tests' tokens as the operator would, in one process."""
    done = subprocess.run(
        [str(BIN / "python"), "-c", _TOKENS],
        input=json.dumps(ROLES),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    tokens: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return tokens


def check_page(page: Page, artifacts: Path, name: str) -> None:
    """Save a screenshot, then fail on any serious or critical axe-core violation."""
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in SERIOUS]
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in bad]
    assert not bad, f"{name}: axe-core violations {summary}"


def history_urls(page: Page) -> list[str]:
    """Every URL in the tab's session history (what the back button would show)."""
    session = page.context.new_cdp_session(page)
    found = session.send("Page.getNavigationHistory")
    session.detach()
    return [entry["url"] for entry in found["entries"]]


def wait_verified(page: Page, expected: str = "passed") -> str:
    """Wait for the in-browser verification to finish; check its outcome; return its text."""
    section = page.locator("[data-verify]")
    section.and_(page.locator("[data-state]")).wait_for(timeout=20_000)
    text = section.inner_text()
    assert section.get_attribute("data-state") == expected, text
    return text
