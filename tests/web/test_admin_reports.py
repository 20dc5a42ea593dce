"""Admin → Reports: the moderation queue of received Flags, and resolving them; administrators only."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fediscience.comments.services import add_comment
from fediscience.db import db
from fediscience.reports.models import Report
from fediscience.reports.services import ReportTarget, record_report
from fediscience.summaries.services import create_summary, delete_summary
from fediscience.users.models import Actor, User
from fediscience.users.services import promote
from tests.helpers import csrf_token, make_paper, register


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    """A client logged in as an administrator."""
    client = app.test_client()
    register(client, "ada")
    with app.app_context():
        promote(db.session.scalar(select(User).where(User.username_key == "ada")))
        db.session.commit()
    return client


@dataclass
class Queue:
    """Two open reports from a remote instance actor: one about bob's summary and comment, one about bob."""

    first: int
    second: int
    summary_id: str
    comment_id: str
    bob_id: str


@pytest.fixture
def queue(app: Flask, bob: FlaskClient) -> Queue:
    with app.app_context():
        bob_actor = db.session.scalar(select(User).where(User.username_key == "bob")).actor
        summary = create_summary(bob_actor, make_paper("Robustness of classifiers"), "Short.", draft=False,
                                 private=False)
        comment = add_comment(bob_actor, summary, "Buy my course!")
        reporter = Actor(local=False, username="m.example", domain="m.example", uri="https://m.example/actor",
                         actor_type="Application")
        db.session.add(reporter)
        db.session.flush()
        first, _ = record_report(reporter, "https://m.example/flag-1", "Spam <i>and</i> a < b", [
            ReportTarget("summary", summary.public_id, f"http://localhost/s/{summary.public_id}"),
            ReportTarget("comment", comment.public_id, f"http://localhost/c/{comment.public_id}"),
        ])
        second, _ = record_report(reporter, "https://m.example/flag-2", "", [
            ReportTarget("actor", bob_actor.public_id, f"http://localhost/u/{bob_actor.public_id}"),
        ])
        db.session.commit()
        return Queue(first.id, second.id, summary.public_id, comment.public_id, bob_actor.public_id)


def _status(app: Flask, report_id: int) -> str:
    with app.app_context():
        return db.session.get(Report, report_id).status


def test_the_queue_lists_open_reports_with_links(admin: FlaskClient, queue: Queue) -> None:
    response = admin.get("/admin/reports")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'data-report="{queue.first}"' in page and f'data-report="{queue.second}"' in page
    assert "Spam and a &lt; b" in page and "<i>and</i>" not in page
    assert "m.example@m.example" in page  # the reporter's handle
    assert f'href="/s/{queue.summary_id}"' in page and "Summary of “Robustness of classifiers” by @bob" in page
    assert f'href="/c/{queue.comment_id}"' in page and f'href="/u/{queue.bob_id}"' in page
    assert 'href="/admin/reports"' in page  # the admin nav


def test_a_deleted_target_is_still_named(app: Flask, admin: FlaskClient, queue: Queue) -> None:
    from fediscience.summaries.models import Summary

    with app.app_context():
        summary = db.session.scalar(select(Summary).where(Summary.public_id == queue.summary_id))
        delete_summary(summary, summary.author)
        db.session.commit()
    page = admin.get("/admin/reports").get_data(as_text=True)
    assert "summary (deleted)" in page and f'href="/s/{queue.summary_id}"' not in page


def test_resolving_takes_a_report_off_the_queue(app: Flask, admin: FlaskClient, queue: Queue) -> None:
    assert admin.post(f"/admin/reports/{queue.first}/resolve").status_code == 400  # no CSRF token
    assert _status(app, queue.first) == "open"
    token = csrf_token(admin, "/admin/reports")
    response = admin.post(f"/admin/reports/{queue.first}/resolve", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/reports")
    assert _status(app, queue.first) == "resolved"
    with app.app_context():
        report = db.session.get(Report, queue.first)
        assert report.resolved_at is not None and report.resolved_by.username == "ada"
    page = admin.get("/admin/reports").get_data(as_text=True)
    assert f'data-report="{queue.first}"' not in page and f'data-report="{queue.second}"' in page
    assert "1 open, 1 resolved" in page
    again = admin.post(f"/admin/reports/{queue.first}/resolve", data={"csrf_token": token}, follow_redirects=True)
    assert "was already resolved" in again.get_data(as_text=True)
    assert admin.post("/admin/reports/99999/resolve", data={"csrf_token": token}).status_code == 404


def test_non_admins_are_refused(app: Flask, bob: FlaskClient, queue: Queue) -> None:
    assert bob.get("/admin/reports").status_code == 403
    token = csrf_token(bob, "/settings/profile")
    assert bob.post(f"/admin/reports/{queue.first}/resolve", data={"csrf_token": token}).status_code == 403
    assert _status(app, queue.first) == "open"
    anonymous = app.test_client()
    response = anonymous.get("/admin/reports")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert anonymous.post(f"/admin/reports/{queue.first}/resolve").status_code in (302, 400)
    assert _status(app, queue.first) == "open"
