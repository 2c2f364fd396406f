"""The options of `lapor-verify sla` that choose what to count, and the --compare source."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click

from verify.cli.common import F
from verify.client import problem_detail, urllib_transport
from verify.errors import InputUnavailable
from verify.sla_document import ServiceRow, parse_document
from verify.sla_rules.figures import Period


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"an ISO 8601 time expected, got {value!r}") from None
    if moment.utcoffset() is None:
        raise click.BadParameter("give a time zone, e.g. 2023-06-30T00:00:00+07:00 or …Z")
    return moment


def _day(text: str, end: bool) -> date:
    if text.isdigit() and len(text) == 4:
        return date(int(text), 12, 31) if end else date(int(text), 1, 1)
    return date.fromisoformat(text)


def _periods(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[Period]:
    periods = []
    for value in values:
        first, sep, last = value.partition("..")
        try:
            period = Period(_day(first, False), _day(last if sep else first, True))
        except ValueError:
            expected = "YEAR or FROM..TO (days or years)"
            raise click.BadParameter(f"{expected} expected, got {value!r}") from None
        if period.first > period.last:
            raise click.BadParameter(f"{value!r}: FROM is after TO")
        periods.append(period)
    return periods


def selection_options(command: F) -> F:
    """--agencies, --as-of, --period, --by-year, --classification, --agency, --compare and
    --token-file."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


_OPTIONS = [
    click.option(
        "--agencies",
        type=click.Path(dir_okay=False, exists=True),
        metavar="FILE",
        help="Agency registry (the format of agencies.json): adds a row per hub.",
    ),
    click.option(
        "--as-of",
        callback=_as_of,
        metavar="TIME",
        help="The moment the clocks are judged at (ISO 8601 with zone; default: now).",
    ),
    click.option(
        "--period",
        "periods",
        multiple=True,
        callback=_periods,
        metavar="YEAR|FROM..TO",
        help="Report days (WIB) to count, both ends included; repeatable.",
    ),
    click.option(
        "--by-year", is_flag=True, help="One table per year of the reports, and the total."
    ),
    click.option(
        "--classification", metavar="NAME", help="Count reports of this classification only."
    ),
    click.option("--agency", metavar="ID", help="Show (and compare) this agency's rows only."),
    click.option(
        "--compare",
        metavar="FILE_OR_URL",
        help="The service's compliance document; check 12 compares it figure by figure.",
    ),
    click.option("--token-file", metavar="F", help="API token for a --compare URL (one line)."),
]


def load_compare(source: str, token: str | None) -> tuple[int, list[ServiceRow]]:
    """The service's compliance document, from a file or its URL."""
    if not source.startswith(("http://", "https://")):
        if token is not None:
            raise click.UsageError("--token-file is only for a --compare URL")
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise InputUnavailable(f"{source}: {exc.strerror}") from None
        return parse_document(raw, source)
    parts = urlsplit(source)
    fetch, _ = urllib_transport(f"{parts.scheme}://{parts.netloc}", read_token=token)
    answer = fetch(parts.path + (f"?{parts.query}" if parts.query else ""))
    if answer.status != 200:
        raise InputUnavailable(f"GET {source}: {problem_detail(answer)}", status=answer.status)
    return parse_document(answer.body, source)
