"""The import job: runs an uploaded ShortScience CSV or BibTeX file, writing its progress as it goes."""

from __future__ import annotations

import logging

from sqlalchemy import update

from ..db import db
from ..imports.engine import ImportReport
from ..imports.models import ImportRun
from ..imports.services import IMPORTERS, finish_run, record_progress
from ..users.models import User

log = logging.getLogger(__name__)
PROGRESS_EVERY = 5


def run_import(run_id: int) -> None:
    """Run a pending import once (a second delivery finds it taken); an unexpected error marks it failed."""
    if not _claim(run_id):
        return
    run = db.session.get_one(ImportRun, run_id)
    user = db.session.get_one(User, run.user_id)
    try:
        report = IMPORTERS[run.kind](run.content, user, lambda progress: _write_progress(run_id, progress))
    except Exception:
        log.exception("import run %s failed", run_id)
        db.session.rollback()
        run = db.session.get_one(ImportRun, run_id)
        finish_run(run, None, f"The import stopped unexpectedly after {run.processed} rows; the rows before "
                              "were imported. Run it again to import the rest.")
    else:
        finish_run(db.session.get_one(ImportRun, run_id), report)
    db.session.commit()


def _claim(run_id: int) -> bool:
    """Move the run from pending to running in one UPDATE, so that two deliveries cannot both run it."""
    claimed = db.session.execute(
        update(ImportRun).where(ImportRun.id == run_id, ImportRun.status == "pending").values(status="running")
    ).rowcount
    db.session.commit()
    return claimed == 1


def _write_progress(run_id: int, report: ImportReport) -> None:
    record_progress(db.session.get_one(ImportRun, run_id), report)
    if report.processed % PROGRESS_EVERY == 0 or report.processed == report.total:
        db.session.commit()
