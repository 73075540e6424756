"""Literal checks SHACL needs: is a lexical form well-formed for its datatype, and how two
literals compare (for sh:minInclusive and friends, sh:lessThan).

Numbers compare as Python numbers; other types (dates, times, strings) are compared by
pyoxigraph's SPARQL `<`, so the rules match SPARQL operator semantics (incomparable -> False).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from .graph import RDF, XSD

_TZ = r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)?"
_YEAR = r"-?([1-9]\d{4,}|\d{4})"
_DATE = _YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
_TIME = r"(([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?|24:00:00(\.0+)?)"
_INT = r"[+-]?\d+"

LEXICAL: dict[str, re.Pattern[str]] = {name: re.compile(f"^(?:{rx})$") for name, rx in {
    "boolean": r"true|false|1|0",
    "integer": _INT,
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "double": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|-INF|NaN",
    "float": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|-INF|NaN",
    "date": _DATE + _TZ,
    "dateTime": _DATE + "T" + _TIME + _TZ,
    "dateTimeStamp": _DATE + "T" + _TIME + r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)",
    "time": _TIME + _TZ,
    "gYear": _YEAR + _TZ,
    "gYearMonth": _YEAR + r"-(0[1-9]|1[0-2])" + _TZ,
    "gMonth": r"--(0[1-9]|1[0-2])" + _TZ,
    "gDay": r"---(0[1-9]|[12]\d|3[01])" + _TZ,
    "gMonthDay": r"--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])" + _TZ,
    "duration": r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?",
    "language": r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*",
}.items()}

# Integer subtypes: (lowest, highest) value.
INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None), "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1),
    "short": (-2**15, 2**15 - 1), "byte": (-128, 127), "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None), "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
NUMERIC = {XSD + n for n in (*INTEGER_RANGES, "decimal", "double", "float")}


def well_formed(literal: ox.Literal) -> bool:
    """True if the literal's lexical form is valid for its datatype (unknown types: True)."""
    datatype = literal.datatype.value
    if not datatype.startswith(XSD):
        return datatype != RDF + "langString" or bool(literal.language)
    name, text = datatype[len(XSD):], literal.value
    if name in INTEGER_RANGES:
        if not LEXICAL["integer"].match(text):
            return False
        low, high = INTEGER_RANGES[name]
        number = int(text)
        return (low is None or number >= low) and (high is None or number <= high)
    pattern = LEXICAL.get(name)
    if pattern is None:
        return True
    if not pattern.match(text):
        return False
    if name in ("date", "dateTime", "dateTimeStamp"):
        return _valid_day(text)
    return True


def _valid_day(text: str) -> bool:
    match = re.match(r"^-?(\d+)-(\d\d)-(\d\d)", text)
    if not match:
        return False
    year, month, day = (int(g) for g in match.groups())
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return day <= days


def _number(literal: ox.Literal) -> Decimal | float | None:
    if literal.datatype.value not in NUMERIC or not well_formed(literal):
        return None
    try:
        if literal.datatype.value in (XSD + "double", XSD + "float"):
            return float(literal.value.replace("INF", "inf"))
        return Decimal(literal.value)
    except (InvalidOperation, ValueError):
        return None


class Comparator:
    """`less(a, b, or_equal)` with SPARQL semantics; numbers are compared in Python."""

    def __init__(self) -> None:
        self._store = ox.Store()
        self._cache: dict[tuple[object, object, bool], bool] = {}

    def less(self, a: object, b: object, or_equal: bool) -> bool:
        if not isinstance(a, ox.Literal) or not isinstance(b, ox.Literal):
            return False
        x, y = _number(a), _number(b)
        if x is not None and y is not None:
            if isinstance(x, float) or isinstance(y, float):
                x, y = float(x), float(y)
            return x <= y if or_equal else x < y  # type: ignore[operator]
        key = (a, b, or_equal)
        if key not in self._cache:
            op = "<=" if or_equal else "<"
            answer = self._store.query(f"ASK {{ FILTER({a} {op} {b}) }}")
            self._cache[key] = bool(answer)
        return self._cache[key]
