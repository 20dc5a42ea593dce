"""Read papers from pasted BibTeX with bibtexparser v2; bad entries become errors, never exceptions."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import Block, DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, MiddlewareErrorBlock, \
    ParsingFailedBlock

from fediscience.papers.identifiers import Identifier, InvalidIdentifier, normalise_arxiv, normalise_doi, \
    parse_identifier
from fediscience.papers.metadata import PaperMetadata, clean_text

_ENTRY_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]+)\s*,")
_YEAR = re.compile(r"\b(\d{4})\b")
_KEYWORD_SEPARATOR = re.compile(r"[,;]")


@dataclass
class BibtexResult:
    """One BibTeX entry: its citation key, and either its metadata or why it was refused."""

    key: str | None
    line: int | None
    metadata: PaperMetadata | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the entry was read into metadata."""
        return self.metadata is not None


def parse_bibtex(text: str) -> list[BibtexResult]:
    """Parse every entry of a BibTeX text, in order; comments, @string and @preamble are skipped."""
    library = bibtexparser.parse_string(text, append_middleware=[
        middlewares.LatexDecodingMiddleware(),
        middlewares.SeparateCoAuthors(),
        middlewares.SplitNameParts(),
    ])
    return [result for block in library.blocks if (result := _read_block(block)) is not None]


def is_complete(meta: PaperMetadata) -> bool:
    """True when title, authors and year are all known, so no network lookup is needed."""
    return bool(meta.title and meta.authors and meta.year)


def _read_block(block: Block) -> BibtexResult | None:
    line = block.start_line + 1 if block.start_line is not None else None  # bibtexparser counts from 0
    if isinstance(block, Entry):
        return _read_entry(block, line)
    if isinstance(block, DuplicateBlockKeyBlock):
        return BibtexResult(block.key, line, error=f"Entry “{block.key}” (line {line}) repeats an earlier key.")
    if isinstance(block, DuplicateFieldKeyBlock):
        key = _raw_key(block.raw)
        return BibtexResult(key, line, error=f"Entry {_label(key, line)} has the same field twice.")
    if isinstance(block, (ParsingFailedBlock, MiddlewareErrorBlock)):
        key = _raw_key(block.raw)
        return BibtexResult(key, line, error=f"Entry {_label(key, line)} is not valid BibTeX (unbalanced braces "
                                             "or a missing comma?).")
    return None


def _read_entry(entry: Entry, line: int | None) -> BibtexResult:
    fields = {key.lower(): value for key, value in entry.fields_dict.items()}
    title = _field(fields, "title")
    if not title:
        return BibtexResult(entry.key, line, error=f"Entry {_label(entry.key, line)} has no title.")
    return BibtexResult(entry.key, line, metadata=_metadata(entry.key, title, fields))


def _metadata(key: str, title: str, fields: dict[str, Any]) -> PaperMetadata:
    url = _field(fields, "url")
    linked = _identifier_of(url)
    arxiv_id, version = _arxiv(fields, linked)
    year_text = _field(fields, "year") or _field(fields, "date")
    return PaperMetadata(
        title=title,
        source="bibtex",
        authors=_authors(fields.get("author")),
        venue=_field(fields, "booktitle") or _field(fields, "journal") or _field(fields, "journaltitle"),
        year=int(m[1]) if year_text and (m := _YEAR.search(year_text)) else None,
        abstract=_field(fields, "abstract"),
        keywords=[k for part in _KEYWORD_SEPARATOR.split(_field(fields, "keywords") or "") if (k := clean_text(part))],
        published=_iso_date(_field(fields, "date")),
        arxiv_id=arxiv_id,
        arxiv_version=version,
        doi=_doi(_field(fields, "doi")) or (linked.value if linked and linked.scheme == "doi" else None),
        dblp_key=key[5:] if key.startswith("DBLP:") else None,
        landing_url=url if url and not url.lower().endswith(".pdf") else None,
        pdf_url=url if url and url.lower().endswith(".pdf") else None,
    )


def _authors(field: Any) -> list[str]:
    names = field.value if field is not None and isinstance(field.value, list) else []
    full = []
    for parts in names:
        if isinstance(parts, middlewares.NameParts):
            name = " ".join(parts.first + parts.von + parts.last + parts.jr)
        else:
            name = str(parts)
        # "and others" marks a truncated author list, not a person.
        if (cleaned := clean_text(name.replace("{", "").replace("}", ""))) and cleaned.lower() != "others":
            full.append(cleaned)
    return full


def _arxiv(fields: dict[str, Any], linked: Identifier | None) -> tuple[str | None, str | None]:
    eprint = _field(fields, "eprint")
    prefix = (_field(fields, "archiveprefix") or _field(fields, "eprinttype") or "").lower()
    if eprint and prefix in ("arxiv", ""):
        try:
            return normalise_arxiv(eprint)
        except InvalidIdentifier:
            pass
    if linked and linked.scheme == "arxiv":
        return linked.value, linked.version
    return None, None


def _doi(text: str | None) -> str | None:
    try:
        return normalise_doi(text) if text else None
    except InvalidIdentifier:
        return None


def _identifier_of(url: str | None) -> Identifier | None:
    try:
        return parse_identifier(url) if url else None
    except InvalidIdentifier:
        return None


def _iso_date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text and len(text) == 10 else None
    except ValueError:
        return None


def _field(fields: dict[str, Any], name: str) -> str | None:
    field = fields.get(name)
    if field is None or not isinstance(field.value, str):
        return None
    # Braces that protect capitals ({R-CNN}) are markup, not text.
    return clean_text(field.value.replace("{", "").replace("}", ""))


def _raw_key(raw: str) -> str | None:
    match = _ENTRY_KEY.search(raw or "")
    return match[1] if match else None


def _label(key: str | None, line: int | None) -> str:
    if key and line:
        return f"“{key}” (line {line})"
    return f"“{key}”" if key else f"on line {line}"
