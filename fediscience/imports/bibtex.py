"""Import papers from a BibTeX file: complete entries are stored as they are, others fetched by identifier."""

from __future__ import annotations

from ..http import make_client
from ..papers.identifiers import Identifier
from ..papers.metadata import PaperMetadata
from ..papers.services import store_metadata
from ..papers.sources.bibtex import is_complete, parse_bibtex
from ..users.models import User
from .engine import ImportReport, Line, Progress, RowProblem, import_rows
from .resolver import PaperResolver, find_local_paper


def parse_bibtex_lines(text: str) -> list[Line[PaperMetadata]]:
    """The entries of a BibTeX text with their line numbers; unreadable ones carry their error."""
    return [Line(result.line, row=result.metadata, error=result.error) for result in parse_bibtex(text)]


def import_bibtex(text: str, user: User | None = None, progress: Progress | None = None) -> ImportReport:
    """Add the papers of a BibTeX text; papers already stored (by any identifier) are skipped."""
    lines = parse_bibtex_lines(text)
    with make_client() as client:
        resolver = PaperResolver(client)
        return import_rows(lines, lambda meta: _add_paper(meta, resolver), progress)


def _add_paper(meta: PaperMetadata, resolver: PaperResolver) -> bool:
    identifiers = _identifiers(meta)
    if not identifiers:
        raise RowProblem(f"“{meta.title[:80]}” has no DOI, arXiv id or DBLP key (add a doi, eprint or url field)")
    if any(find_local_paper(identifier) is not None for identifier in identifiers):
        return False
    if is_complete(meta):
        store_metadata(meta)  # no network: the entry has title, authors and year
        return True
    _, created = resolver.paper_for(identifiers[0])
    return created


def _identifiers(meta: PaperMetadata) -> list[Identifier]:
    found = []
    if meta.doi:
        found.append(Identifier("doi", meta.doi))
    if meta.arxiv_id:
        found.append(Identifier("arxiv", meta.arxiv_id, meta.arxiv_version))
    if meta.dblp_key:
        found.append(Identifier("dblp", meta.dblp_key))
    return found
