"""The paper metadata job."""

from __future__ import annotations

from flask import current_app

from ..db import db
from ..http import make_client
from ..papers.metadata import MetadataError
from ..papers.models import PaperLookup
from ..papers.identifiers import Identifier
from ..papers.services import finish_lookup
from ..papers.sources.resolve import SourceUrls, fetch_metadata


def run_lookup(lookup_id: int) -> None:
    """Fetch the metadata of a pending look-up and store the paper, or record why it failed."""
    lookup = db.session.get(PaperLookup, lookup_id)
    if lookup is None or lookup.status != "pending":
        return
    identifier = Identifier(scheme=lookup.scheme, value=lookup.value, version=lookup.version)
    settings = current_app.extensions["fediscience.settings"]
    urls = SourceUrls(arxiv=settings.arxiv_api_url, crossref=settings.crossref_api_url, dblp=settings.dblp_api_url)
    try:
        with make_client() as client:
            meta = fetch_metadata(client, identifier, urls=urls, mailto=settings.contact_email)
    except MetadataError as exc:
        finish_lookup(lookup, None, str(exc))
    else:
        finish_lookup(lookup, meta, None)
    db.session.commit()
