"""Reading documents into the exact text that annotation offsets point into.

Plain text and Markdown are used as they are (a `.txt` file's text is the file itself,
unchanged); HTML goes through trafilatura (main text only, as Markdown so headings survive);
PDF through pypdf, one section per page. Sections of text and Markdown start at heading lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ExitCode, MiggraphError
from ..files import cannot_read

FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
           ".html": "html", ".htm": "html", ".pdf": "pdf"}

HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


@dataclass
class Section:
    """A titled stretch of the text, [start, end) in code points, printed on `page`."""

    title: str
    start: int
    end: int
    page: int = 1


@dataclass
class Document:
    """A document as ingest sees it: its text and what is known about it."""

    path: Path
    format: str
    text: str
    sections: list[Section]
    title: str = ""
    url: str | None = None
    date: str | None = None
    publisher: str | None = None
    pages: int = 1

    def section_at(self, offset: int) -> Section:
        """The section holding the character at `offset` (the last one for the end)."""
        for section in self.sections:
            if section.start <= offset < section.end:
                return section
        return self.sections[-1]


def _plain_title(line: str) -> str:
    return re.sub(r"[*_`]+", "", line).strip()


def heading_sections(text: str, page: int = 1) -> list[Section]:
    """Sections that start at each Markdown heading line; text before the first is its own."""
    starts = [(m.start(), _plain_title(m.group(1))) for m in HEADING.finditer(text)]
    if not starts or starts[0][0] > 0 and text[: starts[0][0]].strip():
        starts.insert(0, (0, ""))
    sections = []
    for i, (start, title) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        sections.append(Section(title, start, end, page))
    if not sections:
        sections.append(Section("", 0, len(text), page))
    sections[0].start = 0
    return sections


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise cannot_read(path, exc) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise MiggraphError("not UTF-8 text", location=f"{path}:{line}",
                            exit_code=ExitCode.BAD_INPUT) from exc


def _first_title(text: str, sections: list[Section]) -> str:
    for section in sections:
        if section.title:
            return section.title
    for line in text.splitlines():
        if line.strip():
            return _plain_title(line)[:200]
    return ""


def read_markdown(path: Path, fmt: str) -> Document:
    text = _read_text(path)
    sections = heading_sections(text)
    return Document(path, fmt, text, sections, title=_first_title(text, sections))


def read_html(path: Path) -> Document:
    import trafilatura

    html = _read_text(path)
    text = trafilatura.extract(html, output_format="markdown", include_comments=False,
                               include_tables=True, favor_recall=True, deduplicate=False) or ""
    if not text.strip():
        raise MiggraphError("no main text found in this HTML page", location=str(path))
    meta = trafilatura.extract_metadata(html)
    sections = heading_sections(text)
    title = (meta.title if meta and meta.title else "") or _first_title(text, sections)
    return Document(path, "html", text, sections, title=title,
                    url=(meta.url if meta else None) or None,
                    date=(meta.date if meta else None) or None,
                    publisher=(meta.sitename if meta else None) or None)


def read_pdf(path: Path) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except (PdfReadError, ValueError, KeyError) as exc:
        raise MiggraphError(f"not a readable PDF: {exc}", location=str(path)) from exc
    except OSError as exc:
        raise cannot_read(path, exc) from exc
    parts: list[str] = []
    sections: list[Section] = []
    offset = 0
    for number, page_text in enumerate(pages, start=1):
        if parts:
            parts.append("\n\n")
            offset += 2
        sections.append(Section(f"Page {number}", offset, offset + len(page_text), number))
        parts.append(page_text)
        offset += len(page_text)
    text = "".join(parts)
    if not text.strip():
        raise MiggraphError("no text in this PDF (a scan without a text layer?)", location=str(path))
    sections[-1].end = len(text)
    for before, after in zip(sections, sections[1:], strict=False):
        before.end = after.start
    title = (info.title if info and info.title else "") or _first_title(text, [])
    return Document(path, "pdf", text, sections, title=title, pages=len(pages),
                    publisher=(info.author if info and info.author else None))


def read_document(path: Path) -> Document:
    """Read a .txt, .md, .html or .pdf file; anything else is refused (exit 2)."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise MiggraphError(f"cannot ingest {path.suffix or 'a file without extension'}: "
                            f"give one of {', '.join(sorted(FORMATS))}", location=str(path))
    if not path.is_file():
        raise MiggraphError("no such file", location=str(path), exit_code=ExitCode.LOCAL_IO)
    if fmt in ("text", "markdown"):
        return read_markdown(path, fmt)
    if fmt == "html":
        return read_html(path)
    return read_pdf(path)
