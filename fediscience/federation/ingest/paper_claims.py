"""The paper a FediScience summary Note is about: its `paper` node (see federation/context.py), matched to our
record of the paper by any identifier, or stored as a provisional paper that a metadata look-up confirms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...papers.identifiers import Identifier, InvalidIdentifier, parse_identifier
from ...papers.metadata import PaperMetadata
from ...papers.models import Paper
from ...papers.services import add_provisional_paper, find_paper

MAX_TITLE = 1000
MAX_AUTHORS = 500
MAX_NAME = 300
MAX_VENUE = 500
PROVISIONAL_SOURCE = "fediverse"
# How each `paper` property is typed, so that parse_identifier reads it as that scheme only.
_PREFIXES = (("doi", "doi:"), ("arxiv", "arXiv:"), ("dblp", "DBLP:"))
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PaperClaim:
    """What a Note says about its paper: valid identifiers (at most one per scheme) and the descriptive fields."""

    identifiers: tuple[Identifier, ...]
    title: str | None
    authors: tuple[str, ...]
    venue: str | None
    year: int | None


def paper_node(note: dict[str, Any]) -> dict[str, Any] | None:
    """The Note's `paper` node (the first, if a list), or None: no `paper`, not a FediScience summary."""
    node = note.get("paper")
    if isinstance(node, list):
        node = next((item for item in node if isinstance(item, dict)), None)
    return node if isinstance(node, dict) else None


def read_claim(node: dict[str, Any]) -> PaperClaim:
    """Read a `paper` node; invalid identifiers and ill-typed fields are left out."""
    return PaperClaim(
        identifiers=_identifiers(node),
        title=_text(node.get("title"), MAX_TITLE),
        authors=_authors(node.get("authors")),
        venue=_text(node.get("venue"), MAX_VENUE),
        year=_year(node.get("year")),
    )


def paper_for(claim: PaperClaim) -> Paper | None:
    """Our paper carrying one of the claimed identifiers, else a new provisional paper; None without identifiers."""
    if not claim.identifiers:
        return None
    for identifier in claim.identifiers:
        paper = find_paper(identifier)
        if paper is not None:
            return paper
    return add_provisional_paper(_metadata(claim))


def _metadata(claim: PaperClaim) -> PaperMetadata:
    by_scheme = {identifier.scheme: identifier for identifier in claim.identifiers}
    arxiv = by_scheme.get("arxiv")
    return PaperMetadata(
        title=claim.title or str(claim.identifiers[0]),
        source=PROVISIONAL_SOURCE,
        authors=list(claim.authors),
        venue=claim.venue,
        year=claim.year,
        arxiv_id=arxiv.value if arxiv else None,
        arxiv_version=arxiv.version if arxiv else None,
        doi=by_scheme["doi"].value if "doi" in by_scheme else None,
        dblp_key=by_scheme["dblp"].value if "dblp" in by_scheme else None,
    )


def _identifiers(node: dict[str, Any]) -> tuple[Identifier, ...]:
    found: dict[str, Identifier] = {}
    for name, prefix in _PREFIXES:
        value = node.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 255:
            continue
        try:
            identifier = parse_identifier(prefix + value.strip())
        except InvalidIdentifier:
            continue
        found.setdefault(identifier.scheme, identifier)  # an arXiv DOI reads as the arXiv id
    return tuple(found.values())


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    text = _SPACE.sub(" ", value).strip()
    return text[:limit] or None


def _authors(value: Any) -> tuple[str, ...]:
    if isinstance(value, dict):  # the expanded JSON-LD list form
        value = value.get("@list")
    if not isinstance(value, list):
        return ()
    names = (_text(item, MAX_NAME) for item in value[:MAX_AUTHORS])
    return tuple(name for name in names if name)


def _year(value: Any) -> int | None:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}", value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1000 <= value <= 2200 else None
