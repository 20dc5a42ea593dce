"""Jobs: sent after commit, dropped on rollback; the sweeper re-runs lost work; attempts are bounded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from fediscience import create_app
from fediscience.db import db, utcnow
from fediscience.jobs.maintenance import sweep
from fediscience.jobs.papers import run_lookup
from fediscience.jobs.queue import enqueue_after_commit
from fediscience.papers.models import Paper, PaperLookup
from fediscience.papers.services import request_paper
from tests.conftest import _settings
from tests.helpers import wait_for_jobs
from tests.papers.recorded import recorded_transport

RAN: list[int] = []


def remember(value: int) -> None:
    """A job that records that it ran."""
    RAN.append(value)


@pytest.fixture
def quick_app(database_url, tmp_path):
    app = create_app(_settings(tmp_path, database_url, sweeper_interval=0.01, job_retry_delays=(0.0, 0.0)))
    app.extensions["fediscience.http_transport"] = recorded_transport()
    yield app
    wait_for_jobs(app)
    with app.app_context():
        if database_url.startswith("postgresql"):
            from tests.conftest import _truncate_all

            _truncate_all()
        db.engine.dispose()


def test_a_job_is_sent_after_commit_and_dropped_on_rollback(app):
    RAN.clear()
    with app.app_context():
        enqueue_after_commit(remember, 1)
        assert RAN == []
        db.session.rollback()
        enqueue_after_commit(remember, 2)
        db.session.commit()
    wait_for_jobs(app)
    assert RAN == [2]


def test_the_sweeper_runs_a_lookup_whose_job_was_lost(quick_app):
    with quick_app.app_context():
        lookup = request_paper("1707.06684", schedule=False).lookup  # as if Redis lost the job
        db.session.commit()
        lookup.created_at = utcnow() - timedelta(seconds=5)
        db.session.commit()
        assert sweep() == 1
    wait_for_jobs(quick_app)
    with quick_app.app_context():
        assert db.session.scalar(select(PaperLookup.status)) == "done"
        assert db.session.scalar(select(Paper.arxiv_id)) == "1707.06684"
        assert sweep() == 0


def test_a_lookup_whose_worker_died_is_retried_then_given_up(quick_app):
    with quick_app.app_context():
        lookup = request_paper("1512.03385", schedule=False).lookup
        lookup.attempts, lookup.retry_at = 3, utcnow() - timedelta(seconds=1)  # three crashed attempts
        db.session.commit()
        assert sweep() == 1
    wait_for_jobs(quick_app)
    with quick_app.app_context():
        lookup = db.session.scalar(select(PaperLookup))
        assert lookup.status == "failed" and "Gave up after 3 attempts" in lookup.error
        assert db.session.scalar(select(Paper.id)) is None


def test_a_lookup_in_progress_holds_a_lease(app):
    with app.app_context():
        lookup = request_paper("1608.08967", schedule=False).lookup
        db.session.commit()
        run_lookup(lookup.id)
        lookup = db.session.scalar(select(PaperLookup))
        assert lookup.status == "done" and lookup.attempts == 1 and lookup.retry_at is not None
