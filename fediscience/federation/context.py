"""Our JSON-LD context (served at `urls.context_url()`) and the `@context` values of the documents we serve.

The context defines the paper vocabulary that FediScience instances read from each other's Notes and paper Group
actors: a Note's `paper` is a `Paper` node `{id, title, authors, venue, year, doi, arxiv, dblp}`; a paper Group
carries `doi`, `arxiv` and `dblp` itself. Every instance serves the same context, and the terms expand to one
fixed namespace (NAMESPACE), so a term means the same thing whichever instance's context URL a document names.
"""

from __future__ import annotations

from typing import Any

from ..activitypub.vocab import AS_CONTEXT, MASTODON_EXTENSIONS, SECURITY_CONTEXT
from .urls import context_url

# A fixed IRI shared by every instance (an identifier, not fetched by anyone).
NAMESPACE = "https://fediscience.org/ns#"
CONTEXT_MEDIA_TYPE = "application/ld+json"

TERMS: dict[str, Any] = {
    "fediscience": NAMESPACE,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "Paper": "fediscience:Paper",
    "paper": "fediscience:paper",
    "title": "fediscience:title",
    "authors": {"@id": "fediscience:authors", "@container": "@list"},
    "venue": "fediscience:venue",
    "year": {"@id": "fediscience:year", "@type": "xsd:integer"},
    "doi": "fediscience:doi",
    "arxiv": "fediscience:arxiv",
    "dblp": "fediscience:dblp",
}

# Mastodon's terms plus FEP-2c59 `webfinger`, inlined so that no consumer needs to fetch anything for them.
EXTENSIONS: dict[str, Any] = {
    **MASTODON_EXTENSIONS,
    "webfinger": {"@id": "https://purl.archive.org/socialweb/webfinger#webfinger", "@type": "xsd:string"},
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def context_document() -> dict[str, Any]:
    """The JSON-LD context document served at `urls.context_url()`."""
    return {"@context": dict(TERMS)}


def object_context() -> list[Any]:
    """The `@context` of a Note or activity: ActivityStreams (first, literally), ours, Mastodon's terms."""
    return [AS_CONTEXT, context_url(), EXTENSIONS]


def actor_context() -> list[Any]:
    """The `@context` of an actor: ActivityStreams, security (publicKey), ours, Mastodon's terms."""
    return [AS_CONTEXT, SECURITY_CONTEXT, context_url(), EXTENSIONS]
