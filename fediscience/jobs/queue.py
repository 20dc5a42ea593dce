"""Job dispatch: RQ when Redis is configured, a background thread otherwise; jobs are sent after commit."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..db import db

log = logging.getLogger(__name__)
_PENDING = "fediscience.pending_jobs"


class JobRunner(Protocol):
    """Runs job functions (module-level callables taking plain ids) somewhere."""

    def enqueue(self, func: Callable[..., Any], *args: Any) -> None:
        """Start func(*args) as a job."""


class ThreadRunner:
    """Runs jobs on a background thread of the web process (the embedded default)."""

    def __init__(self, app: Flask, workers: int = 2) -> None:
        self.app = app
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fediscience-job")
        self._futures: set[Future[None]] = set()
        self._lock = threading.Lock()

    def enqueue(self, func: Callable[..., Any], *args: Any) -> None:
        """Submit the job to the thread pool."""
        future = self._executor.submit(run_job, self.app, func, *args)
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.discard(future)

    def wait(self, timeout: float = 30.0) -> None:
        """Block until every submitted job has finished (tests and the CLI use it)."""
        while True:
            with self._lock:
                pending = list(self._futures)
            if not pending:
                return
            for future in pending:
                future.result(timeout=timeout)


class RQRunner:
    """Enqueues jobs to RQ on Redis; `fediscience worker` runs them."""

    def __init__(self, redis_url: str, queue_name: str) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(redis_url)
        self.queue = Queue(queue_name, connection=self.connection)

    def enqueue(self, func: Callable[..., Any], *args: Any) -> None:
        """Put the job on the RQ queue."""
        self.queue.enqueue(func, *args, job_timeout=300, result_ttl=3600, failure_ttl=7 * 86400)


def run_job(app: Flask, func: Callable[..., Any], *args: Any) -> None:
    """Run one job inside an application context, logging (not raising) its failure."""
    with app.app_context():
        try:
            func(*args)
        except Exception:  # a failed job must not kill the thread pool; the sweeper retries due rows
            log.exception("job %s%r failed", getattr(func, "__name__", func), args)
            db.session.rollback()
        finally:
            db.session.remove()


def runner_for(app: Flask) -> JobRunner:
    """The job runner configured for the app."""
    return app.extensions["fediscience.jobs"]


def enqueue_after_commit(func: Callable[..., Any], *args: Any) -> None:
    """Start func(*args) as a job once the current transaction commits; dropped on rollback."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any query still drops the job
    runner = runner_for(current_app)
    session.info.setdefault(_PENDING, []).append((runner, func, args))


@event.listens_for(Session, "after_commit")
def _dispatch_pending(session: Session) -> None:
    if session.in_nested_transaction():  # SQLAlchemy 2.1 also fires after_commit when a SAVEPOINT is released
        return
    for runner, func, args in session.info.pop(_PENDING, []):
        runner.enqueue(func, *args)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: object) -> None:
    # Only the outermost rollback drops the jobs: a failed SAVEPOINT leaves the transaction (and its jobs) alive.
    if getattr(previous_transaction, "parent", None) is None:
        session.info.pop(_PENDING, None)


def init_jobs(app: Flask) -> None:
    """Choose and install the job runner from the settings."""
    settings = app.extensions["fediscience.settings"]
    if settings.redis_url:
        app.extensions["fediscience.jobs"] = RQRunner(settings.redis_url, settings.queue_name)
    else:
        app.extensions["fediscience.jobs"] = ThreadRunner(app)
