"""Adding papers: identifier look-ups, metadata jobs and the merging insert."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update

from ..db import db, insert_ignoring_conflicts, utcnow
from ..errors import DomainError, Invalid, NotFound
from ..signals import paper_added
from ..users.models import Actor
from ..venues.services import venue_for
from .identifiers import Identifier, InvalidIdentifier, parse_identifier
from .metadata import PaperMetadata
from .models import Paper, PaperAuthor, PaperLookup

_COLUMN_OF_SCHEME = {"arxiv": Paper.arxiv_id, "doi": Paper.doi, "dblp": Paper.dblp_key}


@dataclass(frozen=True)
class PaperRequest:
    """The outcome of asking for a paper: the paper itself, or a pending look-up."""

    paper: Paper | None = None
    lookup: PaperLookup | None = None


def parse_user_identifier(text: str) -> Identifier:
    """Parse what a user typed as a paper identifier, raising Invalid with the reason."""
    try:
        return parse_identifier(text)
    except InvalidIdentifier as exc:
        raise Invalid(str(exc), field="identifier") from None


def find_paper(identifier: Identifier) -> Paper | None:
    """The paper carrying this identifier, or None."""
    column = _COLUMN_OF_SCHEME[identifier.scheme]
    return db.session.scalar(select(Paper).where(column == identifier.normalised))


def get_paper(public_id: str) -> Paper:
    """The paper with this public id; NotFound otherwise."""
    paper = db.session.scalar(select(Paper).where(Paper.public_id == public_id))
    if paper is None:
        raise NotFound("There is no such paper.")
    return paper


def request_paper(text: str, requested_by: Actor | None = None, *, schedule: bool = True) -> PaperRequest:
    """Find a paper by identifier, or start (or join) a look-up of its metadata (a job after commit)."""
    identifier = parse_user_identifier(text)
    paper = find_paper(identifier)
    if paper is not None:
        return PaperRequest(paper=paper)
    pending = db.session.scalar(
        select(PaperLookup).where(
            PaperLookup.scheme == identifier.scheme,
            PaperLookup.value == identifier.normalised,
            PaperLookup.status == "pending",
        )
    )
    if pending is not None:
        return PaperRequest(lookup=pending)
    lookup = PaperLookup(
        scheme=identifier.scheme,
        value=identifier.normalised,
        version=identifier.version,
        requested_by_id=requested_by.id if requested_by else None,
    )
    db.session.add(lookup)
    db.session.flush()
    if schedule:
        from ..jobs.papers import run_lookup
        from ..jobs.queue import enqueue_after_commit

        enqueue_after_commit(run_lookup, lookup.id)
    return PaperRequest(lookup=lookup)


def get_lookup(public_id: str) -> PaperLookup:
    """The paper look-up with this public id; NotFound otherwise."""
    lookup = db.session.scalar(select(PaperLookup).where(PaperLookup.public_id == public_id))
    if lookup is None:
        raise NotFound("There is no such paper request.")
    return lookup


def finish_lookup(lookup: PaperLookup, meta: PaperMetadata | None, error: str | None) -> None:
    """Record the end of a look-up: the stored paper, or the error message."""
    lookup.finished_at = utcnow()
    if meta is None:
        lookup.status, lookup.error = "failed", error or "The metadata could not be fetched."
        return
    provisional = lookup.paper if lookup.paper is not None and lookup.paper.provisional else None
    paper = confirm_provisional(provisional, meta) if provisional is not None else store_metadata(meta)
    lookup.paper_id = paper.id
    lookup.status = "done"


def store_metadata(meta: PaperMetadata) -> Paper:
    """Insert a paper from metadata, or merge it into the paper already holding one of its identifiers."""
    _check_metadata(meta)
    paper_id = _insert_paper(meta)
    if paper_id is None:
        paper = _paper_with_identifiers(meta)
        _fill_missing(paper, meta)
        db.session.flush()
        return paper
    db.session.add_all(PaperAuthor(paper_id=paper_id, position=i, name=n) for i, n in enumerate(meta.authors))
    db.session.flush()
    paper = db.session.get_one(Paper, paper_id)
    paper_added.send(paper=paper)
    return paper


def _check_metadata(meta: PaperMetadata) -> None:
    if not meta.title.strip():
        raise Invalid("A paper needs a title.")
    if not (meta.arxiv_id or meta.doi or meta.dblp_key):
        raise Invalid("A paper needs an arXiv id, a DOI or a DBLP key.")


def _insert_paper(meta: PaperMetadata, *, provisional: bool = False) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING: concurrent adds of one paper merge here, not by a prior look-up."""
    values = {
        "provisional": provisional,
        "title": meta.title.strip(),
        "venue": meta.venue,
        "venue_id": _venue_id(meta.venue),
        "authors_text": ", ".join(meta.authors),
        "year": meta.year,
        "abstract": meta.abstract,
        "keywords": list(meta.keywords),
        "published_on": meta.published,
        "arxiv_id": meta.arxiv_id,
        "arxiv_version": meta.arxiv_version,
        "doi": meta.doi,
        "dblp_key": meta.dblp_key,
        "landing_url": meta.landing_url,
        "pdf_url": meta.pdf_url,
        "metadata_source": meta.source,
    }
    statement = insert_ignoring_conflicts(Paper, **values).returning(Paper.id)
    return db.session.execute(statement).scalar_one_or_none()


def _venue_id(raw: str | None) -> int | None:
    venue = venue_for(raw)
    return venue.id if venue else None


def _paper_with_identifiers(meta: PaperMetadata, *, excluding: int | None = None) -> Paper | None:
    conditions = []
    if meta.arxiv_id:
        conditions.append(Paper.arxiv_id == meta.arxiv_id)
    if meta.doi:
        conditions.append(Paper.doi == meta.doi)
    if meta.dblp_key:
        conditions.append(Paper.dblp_key == meta.dblp_key)
    query = select(Paper).where(or_(*conditions))
    if excluding is not None:
        query = query.where(Paper.id != excluding)
    return db.session.scalars(query.order_by(Paper.id)).first()


def _fill_missing(paper: Paper, meta: PaperMetadata) -> None:
    """Complete an existing paper with fields it lacks; never overwrite, never steal another paper's id."""
    for field in ("venue", "year", "abstract", "published_on", "landing_url", "pdf_url"):
        value = meta.published if field == "published_on" else getattr(meta, field)
        if getattr(paper, field) in (None, "") and value:
            setattr(paper, field, value)
    if paper.venue_id is None and paper.venue:
        paper.venue_id = _venue_id(paper.venue)
    for field in ("arxiv_id", "doi", "dblp_key"):
        value = getattr(meta, field)
        if getattr(paper, field) is None and value and not _identifier_taken(field, value):
            setattr(paper, field, value)
    if not paper.keywords and meta.keywords:
        paper.keywords = list(meta.keywords)
    if not paper.authors and meta.authors:
        paper.authors = [PaperAuthor(position=i, name=n) for i, n in enumerate(meta.authors)]
        paper.authors_text = ", ".join(meta.authors)


def _identifier_taken(field: str, value: str) -> bool:
    return db.session.scalar(select(Paper.id).where(getattr(Paper, field) == value)) is not None


# Provisional papers: known only from what another instance's Note claims ------------------------------


def add_provisional_paper(meta: PaperMetadata) -> Paper:
    """Store a paper from unconfirmed metadata (another instance's claims), marked provisional, and schedule the
    look-up that confirms it; a paper already holding one of its identifiers is returned unchanged instead."""
    _check_metadata(meta)
    paper_id = _insert_paper(meta, provisional=True)
    if paper_id is None:  # a concurrent insert (or an identifier we hold) won: use that paper as it is
        return _paper_with_identifiers(meta)
    db.session.add_all(PaperAuthor(paper_id=paper_id, position=i, name=n) for i, n in enumerate(meta.authors))
    db.session.flush()
    paper = db.session.get_one(Paper, paper_id)
    _schedule_confirmation(paper)
    paper_added.send(paper=paper)
    return paper


def _schedule_confirmation(paper: Paper) -> None:
    """A pending look-up of the paper's best identifier (arXiv, then DOI, then DBLP) that confirms this paper."""
    from ..jobs.papers import run_lookup
    from ..jobs.queue import enqueue_after_commit

    scheme, value, version = next(
        (scheme, value, version)
        for scheme, value, version in (
            ("arxiv", paper.arxiv_id, paper.arxiv_version), ("doi", paper.doi, None), ("dblp", paper.dblp_key, None)
        )
        if value
    )
    lookup = PaperLookup(scheme=scheme, value=value, version=version, paper_id=paper.id)
    db.session.add(lookup)
    db.session.flush()
    enqueue_after_commit(run_lookup, lookup.id)


def confirm_provisional(paper: Paper, meta: PaperMetadata) -> Paper:
    """Replace a provisional paper's claimed metadata with fetched metadata and clear `provisional`.

    Fetched values always win; a claimed identifier stays only where the fetched metadata has none for its
    scheme. If a fetched identifier belongs to another paper, the provisional one was a duplicate: its
    summaries move to that paper and it goes.
    """
    _check_metadata(meta)
    other = _paper_with_identifiers(meta, excluding=paper.id)
    if other is not None:
        return _merge_into(paper, other, meta)
    for field in ("venue", "year", "abstract", "landing_url", "pdf_url"):
        setattr(paper, field, getattr(meta, field))
    paper.title, paper.published_on, paper.keywords = meta.title.strip(), meta.published, list(meta.keywords)
    paper.venue_id, paper.metadata_source = _venue_id(meta.venue), meta.source
    for field in ("arxiv_id", "doi", "dblp_key"):
        setattr(paper, field, getattr(meta, field) or getattr(paper, field))
    if meta.arxiv_id:
        paper.arxiv_version = meta.arxiv_version
    paper.authors = [PaperAuthor(position=i, name=n) for i, n in enumerate(meta.authors)]
    paper.authors_text = ", ".join(meta.authors)
    paper.provisional = False
    db.session.flush()
    return paper


def _merge_into(provisional: Paper, other: Paper, meta: PaperMetadata) -> Paper:
    """Move the provisional paper's summaries to `other` and delete it (with the summaries of authors who already
    have one of `other`: one summary per author per paper)."""
    from ..summaries.models import Summary
    from ..summaries.services import refresh_summary_count

    authors_there = select(Summary.author_id).where(Summary.paper_id == other.id)
    db.session.execute(
        update(Summary)
        .where(Summary.paper_id == provisional.id, Summary.author_id.not_in(authors_there))
        .values(paper_id=other.id)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(provisional)
    db.session.flush()
    db.session.expire_all()
    _fill_missing(other, meta)
    refresh_summary_count(other.id)
    db.session.flush()
    return other


@dataclass
class BibtexReport:
    """What adding pasted BibTeX did: papers stored or found, look-ups started, entries refused."""

    papers: list[Paper]
    lookups: list[PaperLookup]
    errors: list[str]


def add_bibtex(text: str, requested_by: Actor | None = None) -> BibtexReport:
    """Add the papers of BibTeX entries: complete ones directly, others by looking up their identifier."""
    from .sources.bibtex import is_complete, parse_bibtex

    report = BibtexReport([], [], [])
    for result in parse_bibtex(text):
        label = result.key or (f"line {result.line}" if result.line else "an entry")
        if result.metadata is None:
            report.errors.append(result.error or f"{label}: unreadable entry")
            continue
        try:
            _add_bibtex_entry(result.metadata, requested_by, report, complete=is_complete(result.metadata))
        except DomainError as exc:
            report.errors.append(f"{label}: {exc}")
    return report


def _add_bibtex_entry(meta: PaperMetadata, requested_by: Actor | None, report: BibtexReport, complete: bool) -> None:
    if complete and (meta.arxiv_id or meta.doi or meta.dblp_key):
        report.papers.append(store_metadata(meta))
        return
    identifier = meta.doi or (f"arXiv:{meta.arxiv_id}" if meta.arxiv_id else None) or (
        f"DBLP:{meta.dblp_key}" if meta.dblp_key else None
    )
    if identifier is None:
        raise Invalid("the entry is incomplete and has no DOI, arXiv id or DBLP key to look it up by")
    outcome = request_paper(identifier, requested_by)
    if outcome.paper is not None:
        report.papers.append(outcome.paper)
    else:
        report.lookups.append(outcome.lookup)
