"""The verifier's one exception family.

Every verification function returns None or a summary, or raises one of these. The two
branches answer the auditor's first question, "is this forged?", apart from "is this even
readable?":

- `MalformedInput`: the input cannot be parsed (bad JSON, wrong types, bad base64, a truncated
  bundle, a proof of the wrong length). `lapor-verify` exits with code 2.
- `VerificationFailed`: well-formed input that does not verify: forged or damaged.
  `lapor-verify` exits with code 1.
- `InputUnavailable`, a kind of `MalformedInput`: the input could not be obtained at all (a
  network error, an HTTP error status, a refused request). Exit code 2 as well: nothing was
  verified, and nothing is claimed about forgery.

Facts travel as attributes (check number, leaf index, stream, version, expected and actual
values, bundle line) so that `to_dict()` can give them to machines unchanged. By convention
`expected` is what the reference commits to (a stated hash, a signed root, the previous link)
and `actual` is what the data in hand yields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Fact = str | int | None


class VerificationError(Exception):
    """Base class of every error raised by the verifier."""

    kind = "verification_error"

    @property
    def message(self) -> str:
        """The human-readable message."""
        return str(self.args[0]) if self.args else ""

    def to_dict(self) -> dict[str, object]:
        """Return the error and its facts as JSON-ready data."""
        return {"error": self.kind, "message": self.message}


class MalformedInput(VerificationError):
    """Input that cannot be parsed; says nothing about forgery."""

    kind = "malformed_input"

    def __init__(self, message: str, *, line: int | None = None, unit: str = "line") -> None:
        # unit: "line" in a JSON Lines bundle, "record" in a binary one; `line` holds either
        super().__init__(f"{unit} {line}: {message}" if line is not None else message)
        self.line = line
        self.detail = message

    def in_record(self, number: int) -> MalformedInput:
        """The same problem, located at record `number` of a binary bundle."""
        return MalformedInput(self.detail, line=number, unit="record")

    def to_dict(self) -> dict[str, object]:
        """Return the message and, for bundles, the line number."""
        data = super().to_dict()
        if self.line is not None:
            data["line"] = self.line
        return data


class InputUnavailable(MalformedInput):
    """Input that could not be fetched or read (network, HTTP status); nothing was verified."""

    kind = "input_unavailable"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    def to_dict(self) -> dict[str, object]:
        """Return the message and, for HTTP, the status code."""
        data = super().to_dict()
        if self.status is not None:
            data["status"] = self.status
        return data


class VerificationFailed(VerificationError):
    """Well-formed input that does not verify: forged or damaged."""

    kind = "verification_failed"

    def __init__(
        self,
        message: str,
        *,
        check: int | None = None,
        leaf_index: int | None = None,
        stream_id: str | None = None,
        stream_version: int | None = None,
        expected: Fact = None,
        actual: Fact = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.check = check
        self.leaf_index = leaf_index
        self.stream_id = stream_id
        self.stream_version = stream_version
        self.expected = expected
        self.actual = actual
        self.line = line

    def facts(self) -> dict[str, Fact]:
        """Return the structured facts that are known, without the message."""
        facts: dict[str, Fact] = {
            "check": self.check,
            "leaf_index": self.leaf_index,
            "stream_id": self.stream_id,
            "stream_version": self.stream_version,
            "expected": self.expected,
            "actual": self.actual,
            "line": self.line,
        }
        return {key: value for key, value in facts.items() if value is not None}

    def to_dict(self) -> dict[str, object]:
        """Return the message and every known fact."""
        return {**super().to_dict(), **self.facts()}


class BundleVerificationFailed(VerificationFailed):
    """Entries (a bundle, the log, a report) failed checks; lists the first failures and totals."""

    def __init__(
        self,
        failures: Sequence[VerificationFailed],
        *,
        total_failures: int,
        failures_by_check: Mapping[int, int],
        entries: int,
        streams: int,
        subject: str = "a bundle",
    ) -> None:
        first = failures[0].message if failures else "no details"
        shown = "" if total_failures == len(failures) else f", the first {len(failures)} listed"
        super().__init__(
            f"{total_failures} failure(s) in {subject} of {entries} entries{shown}; first: {first}"
        )
        self.failures = tuple(failures)
        self.total_failures = total_failures
        self.failures_by_check = dict(sorted(failures_by_check.items()))
        self.entries = entries
        self.streams = streams

    def to_dict(self) -> dict[str, object]:
        """Return the totals and the listed failures."""
        return {
            "error": self.kind,
            "message": self.message,
            "entries": self.entries,
            "streams": self.streams,
            "total_failures": self.total_failures,
            "failures_by_check": {str(check): n for check, n in self.failures_by_check.items()},
            "failures": [failure.to_dict() for failure in self.failures],
        }
