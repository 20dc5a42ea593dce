"""Import runs started from the web: accepting an upload, finding a user's runs, recording progress."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from ..db import db, utcnow
from ..errors import Invalid, NotFound
from ..users.models import User
from .bibtex import import_bibtex
from .engine import ImportReport, Progress
from .models import ImportRun
from .shortscience import import_shortscience

MAX_IMPORT_BYTES = 5_000_000
MAX_STORED_ERRORS = 500
KINDS = {"shortscience": "ShortScience CSV export", "bibtex": "BibTeX file"}
IMPORTERS: dict[str, Callable[[str, User, Progress | None], ImportReport]] = {
    "shortscience": import_shortscience,
    "bibtex": import_bibtex,
}


def decode_text(data: bytes, *, limit: int | None = MAX_IMPORT_BYTES) -> str:
    """The text of an uploaded file: UTF-8 (a BOM is dropped), within the size limit, no NUL; Invalid otherwise."""
    if limit is not None and len(data) > limit:
        raise Invalid(f"The file is over the limit of {limit // 1_000_000} MB; split it and import each part.",
                      field="file")
    if not data.strip():
        raise Invalid("The file is empty.", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"The file is not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8.",
                      field="file") from None
    if "\x00" in text:
        raise Invalid("The file contains NUL characters: it is not a text file.", field="file")
    return text


def start_import(user: User, kind: str, filename: str, data: bytes) -> ImportRun:
    """Keep an uploaded file as a pending import run; its job starts once the transaction commits."""
    if kind not in KINDS:
        raise Invalid("Choose what kind of file this is.", field="kind")
    text = decode_text(data)
    run = ImportRun(user_id=user.id, kind=kind, filename=_base_name(filename), content=text, errors=[])
    db.session.add(run)
    db.session.flush()
    from ..jobs.imports import run_import
    from ..jobs.queue import enqueue_after_commit

    enqueue_after_commit(run_import, run.id)
    return run


def get_run(user: User, public_id: str) -> ImportRun:
    """One of the user's import runs; NotFound for anybody else's."""
    run = db.session.scalar(select(ImportRun).where(ImportRun.public_id == public_id, ImportRun.user_id == user.id))
    if run is None:
        raise NotFound("There is no such import.")
    return run


def recent_runs(user: User, limit: int = 20) -> list[ImportRun]:
    """The user's latest import runs, newest first."""
    query = select(ImportRun).where(ImportRun.user_id == user.id).order_by(ImportRun.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def record_progress(run: ImportRun, report: ImportReport) -> None:
    """Copy an import's counts and (the first few hundred) errors onto its run."""
    run.total, run.processed = report.total, report.processed
    run.imported, run.skipped = report.imported, report.skipped
    if len(run.errors or []) != len(report.errors[:MAX_STORED_ERRORS]):
        run.errors = [error.as_dict() for error in report.errors[:MAX_STORED_ERRORS]]


def finish_run(run: ImportRun, report: ImportReport | None, failure: str | None = None) -> None:
    """Mark a run done with its final counts, or failed with a message (the rows before stay imported)."""
    if report is not None:
        record_progress(run, report)
    if failure is not None:
        run.errors = [*(run.errors or []), {"line": None, "message": failure}]
    run.status = "failed" if failure else "done"
    run.finished_at = utcnow()


def _base_name(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "").strip()
    return name[:255] or "upload"
