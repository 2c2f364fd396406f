"""Indonesian by default, English on request: a small gettext-style message catalogue.

Templates and views write Indonesian text inside `_()`; `translations/en.json` maps each of
those texts to English. A missing English text falls back to the Indonesian one, and a test
checks that every text the templates use has its translation. Placeholders are `%(name)s`.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from functools import cache
from importlib import resources
from typing import Any

from flask import session

DEFAULT = "id"
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
WIB = timezone(timedelta(hours=7), "WIB")  # times are shown in WIB, the national admin's zone
_MONTHS = {
    "id": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
    "en": "January February March April May June July August September October November December",
}


@cache
def catalogue(language: str) -> dict[str, str]:
    """The message catalogue of a language other than Indonesian (msgid -> text)."""
    folder = resources.files("api.web") / "translations"
    data: dict[str, str] = json.loads((folder / f"{language}.json").read_text("utf-8"))
    return data


def language() -> str:
    """The language of this request: the session's choice, else Indonesian."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT


def gettext(message: str, **params: Any) -> str:
    """The message in the request's language, with `%(name)s` placeholders filled in."""
    lang = language()
    text = message if lang == DEFAULT else catalogue(lang).get(message, message)
    return text % params if params else text


def format_date(value: date | datetime | str | None) -> str:
    """A date as people write it: `23 November 2026` (WIB for datetimes)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.astimezone(WIB).date()
    month = _MONTHS[language()].split()[value.month - 1]
    return f"{value.day} {month} {value.year}"


def format_datetime(value: datetime | None) -> str:
    """A moment in WIB to the minute: `23 November 2026 14:05 WIB`."""
    if value is None:
        return "—"
    local = value.astimezone(WIB)
    return f"{format_date(local.date())} {local:%H:%M} WIB"
