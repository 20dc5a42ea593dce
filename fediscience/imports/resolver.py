"""Find a paper by identifier during an import, fetching and storing its metadata now when it is new."""

from __future__ import annotations

import httpx
from flask import current_app

from ..papers.identifiers import Identifier, InvalidIdentifier, arxiv_id_from_dblp_key, parse_identifier
from ..papers.metadata import MetadataError
from ..papers.models import Paper
from ..papers.services import find_paper, store_metadata
from ..papers.sources.resolve import SourceUrls, fetch_metadata
from .engine import RowProblem


class PaperResolver:
    """Resolves paper keys (DBLP keys, ShortScience's bibtexKey, arXiv ids, DOIs) with one HTTP client."""

    def __init__(self, client: httpx.Client) -> None:
        settings = current_app.extensions["fediscience.settings"]
        self.client = client
        self.urls = SourceUrls(arxiv=settings.arxiv_api_url, crossref=settings.crossref_api_url,
                               dblp=settings.dblp_api_url)
        self.mailto = settings.contact_email

    def paper_for_key(self, key: str) -> tuple[Paper, bool]:
        """The paper for a key, and whether it was added now; RowProblem if the key is bad or unknown."""
        try:
            identifier = parse_identifier(key)
        except InvalidIdentifier as exc:
            raise RowProblem(str(exc)) from None
        return self.paper_for(identifier)

    def paper_for(self, identifier: Identifier) -> tuple[Paper, bool]:
        """The stored paper with this identifier, else one fetched from arXiv, Crossref or DBLP now."""
        paper = find_local_paper(identifier)
        if paper is not None:
            return paper, False
        try:
            meta = fetch_metadata(self.client, identifier, urls=self.urls, mailto=self.mailto)
        except MetadataError as exc:
            raise RowProblem(str(exc)) from None
        return store_metadata(meta), True


def find_local_paper(identifier: Identifier) -> Paper | None:
    """The stored paper for an identifier; a CoRR key also finds the paper by its arXiv id (no network)."""
    paper = find_paper(identifier)
    if paper is None and identifier.scheme == "dblp":
        arxiv_id = arxiv_id_from_dblp_key(identifier.value)
        if arxiv_id:
            paper = find_paper(Identifier("arxiv", arxiv_id))
    return paper
