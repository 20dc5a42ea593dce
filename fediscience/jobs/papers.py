"""The paper metadata job."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from ..db import db, utcnow
from ..http import make_client
from ..papers.metadata import MetadataError
from ..papers.models import PaperLookup
from ..papers.identifiers import Identifier
from ..papers.services import finish_lookup
from ..papers.sources.resolve import SourceUrls, fetch_metadata


def run_lookup(lookup_id: int) -> None:
    """Fetch the metadata of a pending look-up and store the paper, or record why it failed."""
    lookup = db.session.get(PaperLookup, lookup_id)
    if lookup is None or lookup.status != "pending" or not _take_attempt(lookup):
        db.session.commit()
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


def _take_attempt(lookup: PaperLookup) -> bool:
    """Count an attempt and lease the look-up until its next retry time; False once attempts are used up.

    If this job dies (a killed worker, a crash), the look-up stays pending and the sweeper runs it again at
    retry_at: the database, not the queue, remembers unfinished work.
    """
    delays = current_app.extensions["fediscience.settings"].job_retry_delays
    if lookup.attempts > len(delays):
        finish_lookup(lookup, None, f"Gave up after {lookup.attempts} attempts; please try again later.")
        return False
    lookup.attempts += 1
    lookup.retry_at = utcnow() + timedelta(seconds=delays[min(lookup.attempts, len(delays)) - 1])
    db.session.commit()
    return True
