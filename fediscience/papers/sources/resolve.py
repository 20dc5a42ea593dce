"""Fetch a paper's metadata from the service that knows its identifier best."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from fediscience.papers.identifiers import Identifier, arxiv_id_from_dblp_key
from fediscience.papers.metadata import MetadataError, PaperMetadata, SourceUnavailable
from fediscience.papers.sources import arxiv, crossref, dblp


@dataclass(frozen=True)
class SourceUrls:
    """Base URLs of the three services; tests and configuration point them at local servers."""

    arxiv: str = arxiv.DEFAULT_URL
    crossref: str = crossref.DEFAULT_URL
    dblp: str = dblp.DEFAULT_URL


def fetch_metadata(client: httpx.Client, identifier: Identifier, *, urls: SourceUrls = SourceUrls(),
                   mailto: str | None = None) -> PaperMetadata:
    """Fetch metadata for an identifier; raise NotFound or SourceUnavailable, never anything else.

    arXiv ids are read from arXiv (latest version; the version typed stays on the Identifier), DOIs from
    Crossref, DBLP keys from DBLP, except CoRR keys naming an arXiv paper, which are read from arXiv.
    """
    if identifier.scheme == "arxiv":
        return _guarded("arXiv", lambda: arxiv.fetch_arxiv(client, identifier.value, urls.arxiv))
    if identifier.scheme == "doi":
        return _guarded("Crossref", lambda: crossref.fetch_crossref(client, identifier.value, urls.crossref,
                                                                    mailto=mailto))
    return _fetch_dblp_key(client, identifier.value, urls, mailto)


def _fetch_dblp_key(client: httpx.Client, key: str, urls: SourceUrls, mailto: str | None) -> PaperMetadata:
    arxiv_id = arxiv_id_from_dblp_key(key)
    if arxiv_id:
        meta = _guarded("arXiv", lambda: arxiv.fetch_arxiv(client, arxiv_id, urls.arxiv))
        return dataclasses.replace(meta, dblp_key=key)
    meta = _guarded("DBLP", lambda: dblp.fetch_dblp(client, key, urls.dblp))
    if meta.abstract is None and meta.doi:
        meta = _enrich(meta, lambda: crossref.fetch_crossref(client, meta.doi or "", urls.crossref, mailto=mailto))
    if meta.abstract is None and meta.arxiv_id:
        meta = _enrich(meta, lambda: arxiv.fetch_arxiv(client, meta.arxiv_id or "", urls.arxiv))
    return meta


def _enrich(meta: PaperMetadata, fetch: Callable[[], PaperMetadata]) -> PaperMetadata:
    """Fill the abstract, keywords and date DBLP lacks; the DBLP record stays as it is if this fails."""
    try:
        extra = _guarded("enrichment", fetch)
    except MetadataError:
        return meta
    return dataclasses.replace(
        meta,
        abstract=meta.abstract or extra.abstract,
        keywords=meta.keywords or extra.keywords,
        published=meta.published or extra.published,
        pdf_url=meta.pdf_url or extra.pdf_url,
        doi=meta.doi or extra.doi,
    )


def _guarded(service: str, fetch: Callable[[], PaperMetadata]) -> PaperMetadata:
    try:
        return fetch()
    except MetadataError:
        raise
    except Exception as exc:  # a shape of answer the parsers did not foresee: still the service's fault
        raise SourceUnavailable(f"{service} sent an answer we could not read; please try again later.") from exc
