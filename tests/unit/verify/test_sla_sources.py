"""lapor-verify sla: check 7 with --log-key, and the service's document fetched from a URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.unit.verify.bundles import log_vkey
from tests.unit.verify.sla_bundles import report_bundle
from tests.unit.verify.test_sla import AS_OF, run, run_json, write


@pytest.fixture
def bundle(tmp_path: Path) -> str:
    return write(tmp_path / "ledger.jsonl", report_bundle())


def test_check_7_with_a_log_key(bundle: str) -> None:
    code, data = run_json(bundle, "--log-key", log_vkey())
    assert (code, data["check"]) == (1, 7) and "no checkpoint in the bundle" in data["message"]


@contextmanager
def serve(document: bytes, token: str) -> Iterator[str]:
    """Answer GET /v1/compliance with the document to the bearer of `token`; yield the URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            allowed = self.headers.get("Authorization") == f"Bearer {token}"
            body = document if allowed else b'{"title": "token required"}'
            self.send_response(200 if allowed else 401)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1/compliance?group_by=agency"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_compare_with_a_url(bundle: str, tmp_path: Path) -> None:
    code, output = run(bundle, "--as-of", AS_OF, "--json")
    (tmp_path / "token").write_text("s3cret\n")
    with serve(output.encode(), "s3cret") as url:
        code, data = run_json(bundle, "--compare", url, "--token-file", str(tmp_path / "token"))
        assert code == 0, data
        assert data["compared"]["source"] == url
        code, data = run_json(bundle, "--compare", url)
        assert (code, data["result"], data["status"]) == (2, "unavailable", 401)
