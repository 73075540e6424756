"""Finding the names the graph knows in loosely written text.

Both the labels and the text are normalised the same way, keeping for each normalised
character the position it came from, so every match maps back to exact code points of the
original text. Normalising folds case, straight and curly quotes, possessives ("IOM’s"),
hyphens and dashes, punctuation and runs of white space, full stops in acronyms ("D.G.") and
brackets, and a leading "the". One Aho-Corasick automaton (pyahocorasick) finds every label in
one pass; matches must sit on word boundaries, except a capitalised name glued to the word
before it ("workshopIOM"); where matches overlap the longest wins. Labels written in capitals
only (acronyms such as "IOM", "EU") match only text written in capitals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from .labels import Label

APOSTROPHES = "'’‘`´ʼ′"
DROPPED = "\"“”„‟«»‹›"
SPACES = "-‐‑‒–—―/\\()[]{},;:!?|*_#<>=+~^&@$%\u00a0\u2009\u202f\u3000"
WHITE = re.compile(r"\s")


def _is_cjk(text: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


TABLE = str.maketrans({**{c: "'" for c in APOSTROPHES}, **{c: "\0" for c in DROPPED}, **{c: " " for c in SPACES}})
SPECIAL = re.compile(r"['.]")
RUNS = re.compile(r"^ +| {2,}")


def normalise(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, its index in `text`.

    Most characters map one to one (str.translate); only apostrophes and full stops are looked
    at one by one, and then dropped characters and repeated spaces are taken out.
    """
    low = text.lower()
    if len(low) != len(text):  # a few letters lower-case to two characters ("İ"): keep those as they are
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    chars = list(WHITE.sub(" ", low.translate(TABLE)))
    n = len(text)
    for m in SPECIAL.finditer("".join(chars)):
        i = m.start()
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < n else ""
        if chars[i] == "'":
            after = text[i + 2] if i + 2 < n else ""
            if nxt and nxt in "sS" and not after.isalnum():
                chars[i] = chars[i + 1] = "\0"  # possessive 's: "IOM’s" reads as "IOM"
            elif prev and prev in "sS" and not nxt.isalnum():
                chars[i] = "\0"  # plural possessive: "members’"
        else:
            before = text[i - 2] if i > 1 else ""
            single = prev.isalpha() and not before.isalpha() and (nxt.isalpha() or nxt in ". )")
            chars[i] = "\0" if single else " "  # "D.G." reads as "DG"; other full stops as spaces
    kept = "".join(chars)
    origin = [i for i, ch in enumerate(kept) if ch != "\0"]
    kept = kept.replace("\0", "")
    drop = bytearray(len(kept))
    for m in RUNS.finditer(kept):
        first = m.start() if m.start() == 0 else m.start() + 1  # leading spaces all go; runs keep one
        drop[first:m.end()] = b"\x01" * (m.end() - first)
    if not any(drop):
        return kept, origin
    keep = [j for j in range(len(kept)) if not drop[j]]
    return "".join(kept[j] for j in keep), [origin[j] for j in keep]


def label_key(label: str) -> str:
    """The normalised form a label is looked up by (without a leading "the")."""
    key = normalise(label)[0].strip()
    if key.startswith("the ") and len(key) > 4:
        key = key[4:]
    return key


def _capitals_only(label: str) -> bool:
    letters = [ch for ch in label if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters) and not _is_cjk(label)


@dataclass(frozen=True)
class Mention:
    """Known nodes named at text[start:end] (more than one when a label is shared)."""

    start: int
    end: int
    exact: str
    labels: tuple[Label, ...]

    @property
    def nodes(self) -> list[str]:
        return sorted({label.node for label in self.labels})


class LabelIndex:
    """An Aho-Corasick automaton over the normalised labels of the known nodes."""

    def __init__(self, labels: Iterable[Label]) -> None:
        self.by_key: dict[str, list[Label]] = {}
        for label in labels:
            key = label_key(label.text)
            if len(key.replace(" ", "")) < 2:
                continue  # one letter is never a name worth matching
            self.by_key.setdefault(key, []).append(label)
        self.automaton = ahocorasick.Automaton()
        for key, group in self.by_key.items():
            self.automaton.add_word(key, (key, _is_cjk(key), any(_capitals_only(g.text) for g in group)))
        if self.by_key:
            self.automaton.make_automaton()

    def __len__(self) -> int:
        return sum(len(group) for group in self.by_key.values())

    def find(self, text: str) -> list[Mention]:
        """Every mention in `text`, the longest where they overlap, in text order."""
        if not self.by_key:
            return []
        norm, origin = normalise(text)
        candidates: list[tuple[int, int, str]] = []
        for last, (key, cjk, capitals) in self.automaton.iter(norm):
            first = last - len(key) + 1
            if not cjk and not self._on_boundaries(text, norm, origin, first, last):
                continue
            start, end = origin[first], origin[last] + 1
            if text.count("(", start, end) > text.count(")", start, end) and text[end:end + 1] == ")":
                end += 1  # a label that ends in brackets: "Visa Information System (VIS)"
            if capitals and not self._in_capitals(text[start:end]):
                continue
            candidates.append((start, end, key))
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
        taken = bytearray(len(text))
        mentions: list[Mention] = []
        for start, end, key in candidates:
            if taken.find(1, start, end) != -1:
                continue
            taken[start:end] = b"\x01" * (end - start)
            mentions.append(Mention(start, end, text[start:end], tuple(self._labels(key, text[start:end]))))
        mentions.sort(key=lambda m: m.start)
        return mentions

    def _labels(self, key: str, exact: str) -> list[Label]:
        group = self.by_key[key]
        if exact.upper() != exact:
            group = [g for g in group if not _capitals_only(g.text)] or group
        return group

    @staticmethod
    def _in_capitals(exact: str) -> bool:
        return all(not ch.isalpha() or ch.isupper() for ch in exact)

    @staticmethod
    def _on_boundaries(text: str, norm: str, origin: list[int], first: int, last: int) -> bool:
        if last + 1 < len(norm) and norm[last + 1] != " " and norm[last + 1].isalnum():
            return False
        if first == 0 or norm[first - 1] == " " or not norm[first - 1].isalnum():
            return True
        # glued to the word before: "workshopIOM", "2015International"
        before, here = text[origin[first - 1]], text[origin[first]]
        return here.isupper() and (before.islower() or before.isdigit())

