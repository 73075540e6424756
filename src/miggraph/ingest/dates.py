"""Dates in running text, resolved against the document's date, at the precision written.

"12 October 2015" is a day, "March 2016" a month, "in 2016" a year; "3-4 November" is a
range whose year comes from the document date; "today", "yesterday" and weekdays ("on
Monday") are resolved with dateparser relative to the document date. Nothing is invented:
without a document date, expressions that need one are left out.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import dateparser

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
_MONTH = r"(?P<{}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th|<sup>(?:st|nd|rd|th)</sup>)?"
_YEAR = r"(?P<{}>(?:19|20)\d\d)"
_DASH = r"\s*(?:-|–|—|to|until|till)\s*"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [(name, re.compile(p, re.IGNORECASE)) for name, p in [
    ("iso", r"\b" + _YEAR.format("y") + r"-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
    ("day-month-range", r"\b" + _DAY.format("d1") + r"(?:\s+" + _MONTH.format("m1") + r")?" + _DASH
     + _DAY.format("d2") + r"\s+" + _MONTH.format("m2") + r"(?:,?\s+" + _YEAR.format("y") + r")?\b"),
    ("month-day-range", r"\b" + _MONTH.format("m1") + r"\s+" + _DAY.format("d1") + _DASH
     + r"(?:" + _MONTH.format("m2") + r"\s+)?" + _DAY.format("d2") + r"(?:,?\s+" + _YEAR.format("y") + r")?\b"),
    ("day-month", r"\b" + _DAY.format("d") + r"\s+(?:of\s+)?" + _MONTH.format("m")
     + r"(?:,?\s+" + _YEAR.format("y") + r")?\b"),
    ("month-day", r"\b" + _MONTH.format("m") + r"\s+" + _DAY.format("d") + r"(?:,?\s+" + _YEAR.format("y")
     + r")?\b(?!\s*(?:-|–))"),
    ("month-year", r"\b" + _MONTH.format("m") + r",?\s+" + _YEAR.format("y") + r"\b"),
    ("relative", r"\b(?:today|yesterday|tomorrow|(?:(?:on|last|this|next)\s+)?"
     r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b"),
    ("year", r"\b(?:in|for|during|since|of|until|by)\s+(?:early\s+|late\s+|mid-?)?" + _YEAR.format("y") + r"\b"),
]]


@dataclass(frozen=True)
class DateMention:
    """A date expression at text[start:end] and what it resolves to (lexical xsd forms)."""

    start: int
    end: int
    exact: str
    begin: str            # "2015-10-12", "2015-10" or "2015"
    finish: str | None    # the end of a range, else None
    rule: str

    @property
    def datatype(self) -> str:
        return {10: "date", 7: "gYearMonth", 4: "gYear"}[len(self.begin)]


def _day(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _resolve(rule: str, m: re.Match[str], base: dt.date | None) -> tuple[str, str | None] | None:
    groups = m.groupdict()
    year = int(groups["y"]) if groups.get("y") else (base.year if base else None)
    if rule == "iso":
        day = _day(int(groups["y"]), int(groups["m"]), int(groups["d"]))
        return (day, None) if day else None
    if rule == "year":
        return groups["y"], None
    if rule == "month-year":
        return f"{groups['y']}-{MONTHS[groups['m'].lower()]:02d}", None
    if rule == "relative":
        if base is None:
            return None
        when = dateparser.parse(m.group(0).lower().removeprefix("on ").removeprefix("this "),
                                languages=["en"],
                                settings={"RELATIVE_BASE": dt.datetime.combine(base, dt.time()),
                                          "PREFER_DATES_FROM": "past"})
        return (when.date().isoformat(), None) if when else None
    if year is None:
        return None
    if rule in ("day-month", "month-day"):
        day = _day(year, MONTHS[groups["m"].lower()], int(groups["d"]))
        return (day, None) if day else None
    m2 = MONTHS[groups["m2"].lower()] if groups.get("m2") else MONTHS[groups["m1"].lower()]
    m1 = MONTHS[groups["m1"].lower()] if groups.get("m1") else m2
    first, last = _day(year, m1, int(groups["d1"])), _day(year, m2, int(groups["d2"]))
    if not first or not last or last < first:
        return None
    return first, last


def find_dates(text: str, base: dt.date | None) -> list[DateMention]:
    """Every date expression in `text`, resolved; the first rule that claims a span wins."""
    found: list[DateMention] = []
    taken = bytearray(len(text))
    for rule, pattern in PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if rule == "year":
                start = m.start("y")
            if taken.find(1, start, end) != -1:
                continue
            resolved = _resolve(rule, m, base)
            if resolved is None:
                continue
            taken[start:end] = b"\x01" * (end - start)
            found.append(DateMention(start, end, text[start:end], resolved[0], resolved[1], rule))
    return sorted(found, key=lambda d: d.start)


def parse_document_date(value: str | None) -> dt.date | None:
    """The document's date from --date or the page's metadata (any form dateparser reads)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        pass
    when = dateparser.parse(value, languages=["en"])
    return when.date() if when else None
