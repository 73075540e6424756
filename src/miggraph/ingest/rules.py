"""Proposals for what the graph does not know yet, each with the rule that made it.

Rules read their words from `rules.tsv` (head words of names and the class each proposes,
activity words, units, titles and posts of people). Every proposal points at the exact span
that supports it and carries the statements a curator would accept, in Turtle terms
(predicate, object), so `accept` can write them as they are.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .dates import DateMention
from .matcher import Mention

RULES_FILE = Path(__file__).with_name("rules.tsv")

WORD = re.compile(r"[A-Za-z\u00c0-\u024f][\w’'\-]*|\d[\d,.]*%?|%")
CONNECTORS = {"of", "for", "the", "and", "on", "in", "de", "du", "to"}
LEADING = {"a", "an", "this", "that", "these", "at", "from", "by", "with", "during", "after", "before", "since",
           "as", "when", "while", "today", "yesterday", "last", "next", "monday", "tuesday", "wednesday", "thursday",
           "friday", "saturday", "sunday", "our", "its", "their", "his", "her", "new"}
ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")
NUMBER_WORDS = {w: i for i, w in enumerate(ONES)} | {
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "dozen": 12}
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
QUALIFIERS = {"about": "about", "around": "about", "approximately": "about", "some": "about",
              "nearly": "almost", "almost": "almost", "over": "more than", "more than": "more than",
              "at least": "at least", "up to": "up to"}
PLANNED = re.compile(r"\b(will|plan(?:s|ned)?|upcoming|forthcoming|next|to be held|shall)\b", re.I)
PARAGRAPH = re.compile(r"\S(?:.|\n(?!\s*\n))*")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"‘(0-9])|\n\s*\n|\n(?=#)")


@dataclass
class Proposal:
    """Something new the text supports: a node (or an alias of a known one) to add."""

    start: int
    end: int
    exact: str
    kind: str                      # organisation, instrument, alias, person, activity, figure
    cls: str | None                # proposed class (prefixed name), None for an alias
    label: str                     # proposed preferred label (or the alias)
    rule: str
    confidence: float
    statements: list[tuple[str, str]] = field(default_factory=list)  # (predicate, Turtle object)
    target: str | None = None      # for an alias: the known node it names
    value: float | None = None     # for a figure: its value, for the evaluation
    dates: tuple[str, ...] = ()    # for an activity: its resolved dates


@dataclass(frozen=True)
class Words:
    """The words of rules.tsv, by rule."""

    names: dict[str, tuple[str, float]]
    activities: dict[str, tuple[str, float]]
    units: dict[str, tuple[str, float]]
    titles: frozenset[str]
    posts: frozenset[str]


@cache
def load_words(path: Path = RULES_FILE) -> Words:
    table: dict[str, dict[str, tuple[str, float]]] = {}
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        for row in rows:
            table.setdefault(row["rule"], {})[row["word"].lower()] = (row["target"], float(row["confidence"]))
    return Words(table.get("name", {}), table.get("activity", {}), table.get("unit", {}),
                 frozenset(table.get("title", {})), frozenset(table.get("post", {})))


def sentences(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans: enough to keep a date, a place and an activity together."""
    spans, start = [], 0
    for m in SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [s for s in spans if s[1] > s[0]]


def literal(text: str, lang: str | None = "en") -> str:
    """`text` as a Turtle string literal, tagged `lang` (none for None); line breaks become spaces."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def _typed(value: str, datatype: str) -> str:
    return f'"{value}"^^xsd:{datatype}'


def guess_side(text: str) -> str:
    low = text.lower()
    if re.search(r"\b(china|chinese|beijing|prc|people’s republic|people's republic)\b", low):
        return "side:china"
    if re.search(r"\b(eu|european|europe)\b", low):
        return "side:eu"
    if re.search(r"\b(united nations|international|un)\b", low):
        return "side:international"
    return "side:other"


class Proposer:
    """Runs every rule over one text, given the mentions and dates already found in it."""

    def __init__(self, text: str, mentions: list[Mention], dates: list[DateMention],
                 base: dt.date | None, words: Words | None = None) -> None:
        self.text, self.mentions, self.dates, self.base = text, mentions, dates, base
        self.words = words or load_words()
        self.tokens = [(m.start(), m.end(), m.group(0)) for m in WORD.finditer(text)]
        self.sentences = sentences(text)
        self.sentence_starts = [s[0] for s in self.sentences]
        self.paragraphs = [(m.start(), m.end()) for m in PARAGRAPH.finditer(text)]
        self.paragraph_starts = [p[0] for p in self.paragraphs]
        self.mentions = sorted(mentions, key=lambda m: m.start)
        self.mention_starts = [m.start for m in self.mentions]
        self.dates = sorted(dates, key=lambda d: d.start)
        self.date_starts = [d.start for d in self.dates]

    def all(self) -> list[Proposal]:
        names = self.names()
        found = names + self.aliases(names) + self.people() + self.activities() + self.figures()
        return sorted(found, key=lambda p: (p.start, p.end, p.kind))

    # ------------------------------------------------------------------ helpers
    def _covered(self, start: int, end: int) -> Mention | None:
        """The known mention that holds text[start:end], if any (mentions never overlap)."""
        i = bisect.bisect_right(self.mention_starts, start) - 1
        if i >= 0 and end <= self.mentions[i].end:
            return self.mentions[i]
        return None

    def _sentence(self, offset: int, paragraph: bool = False) -> tuple[int, int]:
        spans, starts = (self.paragraphs, self.paragraph_starts) if paragraph else \
            (self.sentences, self.sentence_starts)
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and offset < spans[i][1]:
            return spans[i]
        return (offset, offset + 1)

    def _in_sentence(self, offset: int, items: list, kinds: set[str] | None = None,
                     paragraph: bool = False) -> list:
        """The items (sorted by start) that start in the sentence (or paragraph) of `offset`,
        nearest first."""
        lo, hi = self._sentence(offset, paragraph)
        starts = self.mention_starts if items is self.mentions else self.date_starts
        out = items[bisect.bisect_left(starts, lo):bisect.bisect_left(starts, hi)]
        if kinds is not None:
            out = [m for m in out if any(label.kind in kinds for label in m.labels)]
        return sorted(out, key=lambda i: abs(i.start - offset))

    def _runs(self) -> list[tuple[int, int]]:
        """Index ranges of tokens forming capitalised names ("Ministry of Foreign Affairs")."""
        runs, i, n = [], 0, len(self.tokens)
        while i < n:
            if not self.tokens[i][2][0].isupper():
                i += 1
                continue
            j = i
            while j + 1 < n:
                gap = self.text[self.tokens[j][1]:self.tokens[j + 1][0]]
                nxt = self.tokens[j + 1][2]
                if gap not in (" ", "-") and not (gap == " " and nxt.lower() in CONNECTORS):
                    break
                if nxt[0].isupper():
                    j += 1
                elif nxt.lower() in CONNECTORS and j + 2 < n and self.tokens[j + 2][2][0].isupper() \
                        and self.text[self.tokens[j + 1][1]:self.tokens[j + 2][0]] == " ":
                    j += 2
                else:
                    break
            runs.append((i, j))
            i = j + 1
        return runs

    # ------------------------------------------------------------------ rules
    def names(self) -> list[Proposal]:
        """Capitalised names with a head word: organisations and instruments."""
        out = []
        for i, j in self._runs():
            words = [t[2] for t in self.tokens[i:j + 1]]
            while words and (words[0].lower() in LEADING or words[0].lower() in CONNECTORS):
                words, i = words[1:], i + 1
            heads = [w.lower() for w in words if w.lower() in self.words.names]
            if not heads or len(words) < 2 and words[0].lower() == heads[0]:
                continue
            start, end = self.tokens[i][0], self.tokens[j][1]
            if self._covered(start, end):
                continue
            cls, confidence = self.words.names[heads[0]]
            exact = self.text[start:end]
            label = " ".join(exact.split())
            instrument = cls in ("mg:Agreement", "mg:Law", "mg:Policy", "mg:Plan", "mg:Programme")
            statements = [] if instrument else [("mg:side", guess_side(label))]
            out.append(Proposal(start, end, exact, "instrument" if instrument else "organisation", cls,
                                label, f"name-head-word:{heads[0]}", confidence, statements))
        return out

    def aliases(self, names: list[Proposal]) -> list[Proposal]:
        """An acronym in brackets right after a name: a new alternative label."""
        out = []
        by_end = {p.end: p for p in names}
        for m in re.finditer(r"\(\s*([A-Z][A-Za-z&.\- ]{0,14}[A-Za-z])\.?\s*\)", self.text):
            acronym = m.group(1)
            if sum(ch.isupper() for ch in acronym) < 2:
                continue
            anchor = m.start()
            while anchor > 0 and self.text[anchor - 1].isspace():
                anchor -= 1
            i = bisect.bisect_left(self.mention_starts, anchor) - 1
            known = [self.mentions[i]] if i >= 0 and self.mentions[i].end == anchor else []
            proposed = [by_end[anchor]] if anchor in by_end else []
            inside = self._covered(m.start(1), m.start(1) + len(acronym))
            if proposed and (not known or proposed[0].start < known[0].start):
                proposed[0].statements.append(("skos:altLabel", literal(acronym)))
            elif known:
                mention = known[0]
                if inside and set(inside.nodes) & set(mention.nodes):
                    continue  # already one of its names
                out.append(Proposal(m.start(1), m.start(1) + len(acronym), acronym, "alias", None,
                                    acronym, "acronym-in-brackets", 0.8,
                                    [("skos:altLabel", literal(acronym))], target=mention.nodes[0]))
        return out

    def people(self) -> list[Proposal]:
        """A title and a capitalised name ("Ms. Li Na"), with a post after a comma."""
        out = []
        pattern = re.compile(r"\b(?P<title>Mr|Mrs|Ms|Dr|Prof|Professor|Ambassador|Minister|H\.E)\.?\s+"
                             r"(?P<name>[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+){0,3})"
                             r"(?:,\s+(?P<post>[^,.;()]{3,120}))?")
        for m in pattern.finditer(self.text):
            if m.group("title").lower().rstrip(".") not in {t.rstrip(".") for t in self.words.titles}:
                continue
            start, end = m.span("name")
            if self._covered(start, end):
                continue
            name = " ".join(m.group("name").split())
            statements = [("mg:side", guess_side(self.text[slice(*self._sentence(start))]))]
            post = m.group("post")
            if post and post.split()[0].lower().strip(",") in self.words.posts:
                statements.append(("dcterms:description", literal(f"Post as stated: {' '.join(post.split())}")))
                end = m.end("post")
            out.append(Proposal(m.start(), end, self.text[m.start():end], "person", "mg:Person", name,
                                "title-and-name", 0.7 if post else 0.6, statements))
        return out

    def activities(self) -> list[Proposal]:
        """An activity word, with the date and place its sentence gives and a status."""
        out = []
        vocabulary = set(self.words.activities) | {w + "s" for w in self.words.activities}
        next_free = 0
        for idx in [i for i, t in enumerate(self.tokens) if t[2].lower() in vocabulary]:
            if idx < next_free:
                continue
            start, end, word = self.tokens[idx]
            last = idx
            while last + 1 < len(self.tokens) and self.tokens[last + 1][2].lower() in self.words.activities \
                    and self.text[self.tokens[last][1]:self.tokens[last + 1][0]] == " ":
                last += 1
            head = self.tokens[last][2].lower()
            if self._covered(start, self.tokens[last][1]):
                next_free = last + 1
                continue  # part of a known name ("... Dialogue on Migration ... Project")
            cls, confidence = self.words.activities.get(head) or self.words.activities[head.rstrip("s")]
            first = idx
            while first > 0 and self.text[self.tokens[first - 1][1]:self.tokens[first][0]] in (" ", "-") \
                    and self.tokens[first - 1][2].lower() not in {"a", "an", "the", "this", "that", "its", "their"} \
                    and self.tokens[first - 1][2].lower() not in CONNECTORS and idx - first < 4 \
                    and not self.tokens[first - 1][2][0].isdigit():
                first -= 1
            span_end = self.tokens[last][1]
            tail = re.match(r"\s+(?:on|in|to|of|for|with)\s+[^,.;:()\n]{2,80}", self.text[span_end:])
            if tail:
                span_end += len(tail.group(0).rstrip())
            span_start = self.tokens[first][0]
            next_free = last + 1
            out.append(self._activity(span_start, span_end, cls, confidence, head))
        return out

    def _activity(self, start: int, end: int, cls: str, confidence: float, head: str) -> Proposal:
        exact = self.text[start:end]
        label = " ".join(exact.split())
        label = label[0].upper() + label[1:]
        dates = self._in_sentence(start, self.dates)
        if not dates:  # the date is often given once for the paragraph ("On 3-4 November, ...")
            dates = [d for d in self._in_sentence(start, self.dates, paragraph=True) if d.rule != "year"]
            confidence -= 0.1
        places = self._in_sentence(start, self.mentions, {"place"})
        statements: list[tuple[str, str]] = []
        resolved: tuple[str, ...] = ()
        sentence = self.text[slice(*self._sentence(start))]
        if dates:
            d = dates[0]
            resolved = (d.begin, d.finish or d.begin)
            statements += [("schema:startDate", _typed(d.begin, d.datatype)),
                           ("schema:endDate", _typed(d.finish or d.begin, d.datatype))]
            planned = d.begin > self.base.isoformat()[: len(d.begin)] if self.base else bool(PLANNED.search(sentence))
            confidence += 0.15
        else:
            planned = bool(PLANNED.search(sentence))
        statements.insert(0, ("mg:status", "status:planned" if planned else "status:held"))
        if not dates and not planned:
            statements.append(("mg:notStatedInSource", "schema:startDate"))
        if places:
            statements.append(("mg:place", f"<{places[0].nodes[0]}>"))
        elif not planned:
            statements.append(("mg:notStatedInSource", "mg:place"))
        return Proposal(start, end, exact, "activity", cls, label, f"activity-word:{head}",
                        round(min(confidence, 0.95), 2), statements, dates=resolved)

    def figures(self) -> list[Proposal]:
        """A number and what it counts (a unit word after it), with what it is about."""
        out = []
        taken = bytearray(len(self.text))
        for d in self.dates:
            taken[d.start:d.end] = b"\x01" * (d.end - d.start)
        number_words = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
        pattern = re.compile(
            r"(?<![\w.,])(?:(?P<qual>about|around|approximately|nearly|almost|over|more than|at least|up to)\s+)?"
            r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?:" + number_words + r")\b)"
            r"(?:\s*(?P<scale>thousand|million|billion)\b)?(?:-|\s+|\s*(?=%))"
            r"(?P<noun>(?:%|per\s?cent\b|[a-z][a-z\-]*)(?:\s+[a-z][a-z\-]*){0,3})", re.IGNORECASE)
        for m in pattern.finditer(self.text):
            start, end = m.span()
            if taken.find(1, start, end) != -1:
                continue
            raw = m.group("num").lower().replace(",", "")
            value = float(NUMBER_WORDS[raw]) if raw in NUMBER_WORDS else float(raw)
            if m.group("scale"):
                value *= SCALES[m.group("scale").lower()]
            if 1900 <= value <= 2100 and not m.group("scale") and "." not in raw:
                continue  # a year
            noun_words = m.group("noun").split()
            unit = None
            for count, w in enumerate(noun_words[:3]):
                key = w.lower().strip("-")
                key = "per" if key.startswith("per") and "cent" in m.group("noun").lower() else key
                if key in self.words.units:
                    unit = self.words.units[key]
                    noun_words = noun_words[: count + (2 if key in ("working", "per") else 1)]
                    break
            if unit is None and raw in NUMBER_WORDS:
                continue  # "one of the ..." is not a figure
            end = m.start("noun") + len(" ".join(noun_words)) if noun_words else end
            exact = self.text[start:end]
            measure = " ".join(noun_words)
            statements = [("mg:value", str(int(value)) if value.is_integer() else repr(value)),
                          ("mg:measure", literal(measure))]
            if unit:
                statements.append(("mg:unit", unit[0]))
            if m.group("qual"):
                statements.append(("mg:valueQualifier", literal(QUALIFIERS[m.group("qual").lower()], None)))
            about = self._in_sentence(start, self.mentions, {"actor", "place", "instrument", "project", "activity"})
            if about:
                statements.append(("mg:about", f"<{about[0].nodes[0]}>"))
            confidence = (unit[1] if unit else 0.3) + (0.1 if about else 0)
            label = f"{' '.join(exact.split())}"
            out.append(Proposal(start, end, exact, "figure", "mg:Figure", label[0].upper() + label[1:],
                                "number-and-unit" if unit else "number", round(confidence, 2), statements,
                                value=value))
        return out
