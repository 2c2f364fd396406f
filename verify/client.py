"""The client side of the log's HTTP contract (docs/transparency-log.md, "HTTP API of the log").

The transport is two injected functions, `fetch(path)` and `post(path, body)`, that return a
`Response`; `urllib_transport` makes them with urllib.request for a base URL, so a test (or
an auditor's own proxy) can serve the same contract without a network. Everything the log
answers is parsed strictly: a body of the wrong shape is MalformedInput, an unreachable
server or an error status is InputUnavailable.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from verify import fields as f
from verify.errors import InputUnavailable, MalformedInput

PAGE_SIZE = 1000  # the most entries /v1/log/entries returns per request
TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Response:
    """An HTTP answer: status code and body bytes."""

    status: int
    body: bytes


Fetch = Callable[[str], Response]
Post = Callable[[str, bytes], Response]


def urllib_transport(
    base_url: str,
    *,
    read_token: str | None = None,
    write_token: str | None = None,
    timeout: float = TIMEOUT_S,
) -> tuple[Fetch, Post]:
    """GET and POST against `base_url` (http or https), each with its own bearer token."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise MalformedInput(f"log URL expected http(s)://host[:port][/prefix], got {base_url!r}")
    base = base_url.rstrip("/")

    def send(path: str, data: bytes | None, token: str | None) -> Response:
        headers = {"User-Agent": "lapor-verify", "Accept": "*/*"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if data is not None:
            headers["Content-Type"] = "text/plain; charset=utf-8"
        # S310: the scheme was checked above, http and https only, never file: or custom ones
        request = urllib.request.Request(base + path, data=data, headers=headers)  # noqa: S310
        try:
            with _OPENER.open(request, timeout=timeout) as answer:
                return Response(answer.status, answer.read())
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.read())
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise InputUnavailable(f"{request.get_method()} {base}{path}: {reason}") from None

    def fetch(path: str) -> Response:
        return send(path, None, read_token)

    def post(path: str, body: bytes) -> Response:
        return send(path, body, write_token)

    return fetch, post


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Answer a redirect as the 3xx it is: following it would send the token elsewhere."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


class LogClient:
    """Typed reads of the /v1/log contract over an injected transport."""

    def __init__(self, fetch: Fetch, post: Post | None = None) -> None:
        self._fetch = fetch
        self._post = post

    def checkpoint(self, *, witnessed: bool = False) -> str | None:
        """The latest (or latest witnessed) checkpoint note; None if the log has none (404)."""
        path = "/v1/log/checkpoint" + ("?witnessed=1" if witnessed else "")
        answer = self._fetch(path)
        if answer.status == 404:
            return None
        return _text(_ok(path, answer), path)

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        """The RFC 9162 consistency proof from `size1` to `size2`, shape-checked."""
        path = "/v1/log/proof/consistency?" + urlencode({"from": size1, "to": size2})
        data = _json(path, _ok(path, self._fetch(path)))
        for key, wanted in (("size1", size1), ("size2", size2)):
            if f.integer(data, key, None) != wanted:
                raise MalformedInput(f"GET {path}: {key} expected {wanted}, got {data[key]}")
        try:
            return f.hash_list(data, "hashes", None)
        except MalformedInput as exc:
            raise MalformedInput(f"GET {path}: {exc.message}") from None

    def entries(self, start: int, end: int) -> Iterator[bytes]:
        """The `entry` lines of leaves [start, end), fetched page by page."""
        while start < end:
            stop = min(end, start + PAGE_SIZE)
            path = "/v1/log/entries?" + urlencode({"start": start, "end": stop})
            lines = _ok(path, self._fetch(path)).splitlines()
            if not lines or len(lines) > stop - start:
                raise MalformedInput(
                    f"GET {path}: entry lines expected 1 to {stop - start}, got {len(lines)}"
                )
            yield from lines
            start += len(lines)

    def post_cosignature(self, note: str) -> Response:
        """POST a cosigned note to /v1/log/cosignatures; the caller judges the status."""
        if self._post is None:
            raise MalformedInput("no way to POST was given (a witness token is needed)")
        return self._post("/v1/log/cosignatures", note.encode("utf-8"))


def problem_detail(answer: Response) -> str:
    """The `detail` (or `title`) of an RFC 9457 problem body, else the status code."""
    try:
        data = json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    if isinstance(data, dict):
        text = data.get("detail") or data.get("title")
        if isinstance(text, str):
            return f"HTTP {answer.status}: {text[:500]}"
    return f"HTTP {answer.status}"


def _ok(path: str, answer: Response) -> bytes:
    if answer.status != 200:
        raise InputUnavailable(f"GET {path}: {problem_detail(answer)}", status=answer.status)
    return answer.body


def _text(body: bytes, path: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedInput(f"GET {path}: the answer is not UTF-8") from None


def _json(path: str, body: bytes) -> dict[str, object]:
    try:
        return f.load_object(body, None)
    except MalformedInput as exc:
        raise MalformedInput(f"GET {path}: {exc.message}") from None
