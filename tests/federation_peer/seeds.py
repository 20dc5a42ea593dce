"""The seed summaries (real ShortScience pages, tests/text/test_seeds.py's loader) with the paper each one is about:
title, authors, venue and year from the page's header when it has one, as a complete BibTeX entry (stored without a
look-up); and what a reader must see of each summary: its paragraphs and its formulas."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from fediscience.text.markdown import find_formulas, render_markdown
from tests.text.test_seeds import SEEDS, seed_summaries

_YEAR = re.compile(r"^(.*?) - (\d{4})\b")
_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th", "div", "dd",
                     "dt", "table", "ul", "ol"})


@dataclass(frozen=True)
class Seed:
    """One seed summary and its paper."""

    number: int
    title: str
    authors: str
    venue: str
    year: int
    text: str

    @property
    def doi(self) -> str:
        """A DOI under the test prefix 10.5555, one per seed (some pages hold two versions of one summary)."""
        return f"10.5555/fediscience-seed-{self.number:02d}"

    def bibtex(self) -> str:
        """A complete entry (title, authors, year, DOI): stored as it is, no metadata look-up."""
        return (f"@inproceedings{{seed{self.number:02d},\n  title = {{{_bibtex_text(self.title)}}},\n"
                f"  author = {{{_bibtex_text(self.authors)}}},\n  booktitle = {{{_bibtex_text(self.venue)}}},\n"
                f"  year = {{{self.year}}},\n  doi = {{{self.doi}}}\n}}\n")


def seeds() -> list[Seed]:
    """Every seed summary, numbered in the loader's order, with its paper."""
    headers = _headers()
    found = []
    for number, text in enumerate(seed_summaries()):
        title, authors, venue = headers.get(text, (None, None, None))
        year_match = _YEAR.match(venue or "")
        found.append(Seed(
            number=number, title=title or _made_up_title(number, text),
            authors=authors or "ShortScience.org contributors",
            venue=year_match.group(1) if year_match else "ShortScience.org",
            year=int(year_match.group(2)) if year_match else 2019, text=text,
        ))
    return found


def _headers() -> dict[str, tuple[str, str, str]]:
    """summary text → (title, authors, venue line) from the paper header above it on its page.

    A page lists a paper as title, authors, venue, "Keywords:", (abstract), authors, venue, "Keywords:", [link],
    summary; the title is the line above the first of the two author lines. Pages 003 and 004 have no headers."""
    found: dict[str, tuple[str, str, str]] = {}
    for page in sorted(Path(SEEDS).glob("*.txt")):
        lines = [line for line in page.read_text(encoding="utf-8").splitlines() if line.strip()]
        for index, line in enumerate(lines):
            keywords = index - 2 if lines[index - 1].strip() == "[link]" else index - 1
            if keywords < 3 or not lines[keywords].startswith("Keywords:") or line in found:
                continue
            authors, venue = lines[keywords - 2], lines[keywords - 1]
            first = next((j for j in range(keywords - 2) if lines[j] == authors), None)
            if first is not None and first > 0:
                found[line] = (lines[first - 1].strip(), authors.strip(), venue.strip())
    return found


def _made_up_title(number: int, text: str) -> str:
    words = re.sub(r"[^A-Za-z0-9 ]+", " ", text).split()[:6]
    return f"Seed summary {number:02d}: {' '.join(words)}"


def _bibtex_text(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", text)


# What a reader must see ------------------------------------------------------------------------------------------


def expected_formulas(text: str) -> list[str]:
    """Each formula of a summary as Mastodon 4.4 shows it: `$TeX$`, or `$$TeX$$` for display maths."""
    return [f"$${tex}$$" if display else f"${tex}$" for tex, display in find_formulas(text)]


class _Paragraphs(HTMLParser):
    """The text of each block of rendered HTML, a formula standing as its TeX between dollars."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.math_depth = 0
        self.display = False
        self.in_tex = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "math":
            self.math_depth += 1
            self.display = values.get("display") == "block"
        elif tag == "annotation" and values.get("encoding") == "application/x-tex":
            self.in_tex = True
            self.current.append("$$" if self.display else "$")
        elif tag in _BLOCKS and not self.math_depth:
            self._cut()

    def handle_endtag(self, tag: str) -> None:
        if tag == "math":
            self.math_depth -= 1
        elif tag == "annotation" and self.in_tex:
            self.in_tex = False
            self.current.append("$$" if self.display else "$")
        elif tag in _BLOCKS and not self.math_depth:
            self._cut()

    def handle_data(self, data: str) -> None:
        if not self.math_depth or self.in_tex:
            self.current.append(data)

    def _cut(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []


def expected_paragraphs(text: str) -> list[str]:
    """The paragraphs (blocks) of a summary as our pages render it, formulas as their TeX."""
    parser = _Paragraphs()
    parser.feed(render_markdown(text))
    parser.close()
    parser._cut()
    return parser.blocks
