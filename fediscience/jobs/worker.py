"""The long-lived RQ worker: jobs run inside the app, and a sweeper re-enqueues work that Redis lost."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask
from rq import SimpleWorker

from ..db import db
from .maintenance import sweep

log = logging.getLogger(__name__)


class AppWorker(SimpleWorker):
    """An RQ SimpleWorker that runs every job in an application context of one long-lived app."""

    app: Flask

    def perform_job(self, job: Any, queue: Any, execution: Any = None) -> bool:
        """Run the job inside the app context and release the database session afterwards."""
        with self.app.app_context():
            try:
                return super().perform_job(job, queue, execution) if execution is not None else super().perform_job(job, queue)
            finally:
                db.session.remove()


class Sweeper(threading.Thread):
    """Every interval, re-enqueues due or lease-expired work found in the database."""

    def __init__(self, app: Flask, interval: float) -> None:
        super().__init__(name="fediscience-sweeper", daemon=True)
        self.app, self.interval = app, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        """Sweep until stopped."""
        while not self.stopped.wait(self.interval):
            self.sweep_once()

    def sweep_once(self) -> int:
        """One sweep; returns how many jobs were re-enqueued."""
        with self.app.app_context():
            try:
                return sweep()
            except Exception:  # the sweeper must outlive a database hiccup
                log.exception("sweep failed")
                db.session.rollback()
                return 0
            finally:
                db.session.remove()


def run_worker(app: Flask, *, burst: bool = False) -> None:
    """Run the RQ worker (and its sweeper) until stopped, or until the queue is empty with burst."""
    runner = app.extensions["fediscience.jobs"]
    settings = app.extensions["fediscience.settings"]
    AppWorker.app = app
    worker = AppWorker([runner.queue], connection=runner.connection)
    sweeper = Sweeper(app, settings.sweeper_interval)
    sweeper.sweep_once()
    sweeper.start()
    try:
        worker.work(burst=burst, logging_level="INFO")
    finally:
        sweeper.stopped.set()
