"""Flag (report) from another server's instance actor, as Mastodon 4.2–4.4 sends it: stored for the moderation queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from fediscience.activitypub import AS_CONTEXT
from fediscience.activitypub.keys import KeyPair
from fediscience.comments.services import add_comment
from fediscience.db import db
from fediscience.reports.models import Report
from fediscience.reports.services import MAX_CONTENT, ReportTarget, record_report
from fediscience.summaries.services import create_summary
from fediscience.users.models import Actor
from tests.federation_inbox.conftest import Local, Remote, RemoteServer, count, deliver, process
from tests.federation_inbox.notes import statuses
from tests.helpers import make_paper


@dataclass
class Reported:
    """Alice's public summary and her comment on it."""

    summary_id: str
    summary_url: str
    comment_id: str
    comment_url: str


@pytest.fixture
def reported(app: Flask, alice: Local) -> Reported:
    with app.app_context():
        author = db.session.get(Actor, alice.actor_id)
        summary = create_summary(author, make_paper("Robustness of classifiers"), "Short.", draft=False, private=False)
        comment = add_comment(author, summary, "Buy my course!")
        db.session.commit()
        return Reported(summary.public_id, f"http://localhost/s/{summary.public_id}", comment.public_id,
                        f"http://localhost/c/{comment.public_id}")


@pytest.fixture
def instance_actor(app: Flask, remote_instance: RemoteServer, key_pairs: list[KeyPair]) -> Remote:
    """The remote server's instance actor (an Application at /actor), served there and not yet known here."""
    uri = f"{remote_instance.base}/actor"
    remote = Remote(uri=uri, key_id=f"{uri}#main-key", key=key_pairs[2], inbox=f"{uri}/inbox", path="/actor")
    document = remote.document() | {"type": "Application", "preferredUsername": "127.0.0.1"}
    remote_instance.documents["/actor"] = (200, document)
    return remote


_flags = 0


def flag(remote: Remote, obj: Any, content: str = "Spam") -> dict[str, Any]:
    """A Flag as Mastodon's flag_serializer writes it: `<host>/<uuid>` id, the instance actor, content, objects."""
    global _flags
    _flags += 1
    host = remote.uri.rsplit("/", 1)[0]
    return {"@context": AS_CONTEXT, "id": f"{host}/0f6c{_flags:04d}-uuid", "type": "Flag", "actor": remote.uri,
            "content": content, "object": obj}


def _reports(app: Flask) -> list[Report]:
    with app.app_context():
        reports = list(db.session.scalars(select(Report).order_by(Report.id)))
        for report in reports:
            _ = report.reporter.uri, report.reporter.actor_type  # loaded before the session closes
        return reports


def test_a_mastodon_report_is_stored_with_our_targets_only(
    app: Flask, client: Any, instance_actor: Remote, alice: Local, reported: Reported
) -> None:
    report = flag(instance_actor, [alice.url, reported.summary_url, "https://elsewhere.example/statuses/1",
                                   reported.comment_url], content="Spam <b>everywhere</b>.\nSee the links.")
    inbox = f"/u/{alice.public_id}/inbox"  # Mastodon sends reports to the reported account's own inbox
    assert deliver(client, instance_actor, report, path=inbox).status_code == 202
    assert deliver(client, instance_actor, report, path=inbox).status_code == 202  # a duplicate: one report
    process(app)
    [stored] = _reports(app)
    assert stored.uri == report["id"] and stored.status == "open"
    assert (stored.reporter.uri, stored.reporter.actor_type) == (instance_actor.uri, "Application")
    assert stored.content == "Spam everywhere.\nSee the links."
    assert stored.targets == [
        {"kind": "actor", "public_id": alice.public_id, "uri": alice.url},
        {"kind": "summary", "public_id": reported.summary_id, "uri": reported.summary_url},
        {"kind": "comment", "public_id": reported.comment_id, "uri": reported.comment_url},
    ]
    assert statuses(app) == ["done"]


def test_object_forms_single_id_and_embedded_objects(
    app: Flask, client: Any, instance_actor: Remote, alice: Local, reported: Reported
) -> None:
    deliver(client, instance_actor, flag(instance_actor, alice.url))
    deliver(client, instance_actor, flag(instance_actor, [
        {"id": reported.summary_url, "type": "Note"}, {"id": f"{reported.summary_url}/", "type": "Note"},
        {"type": "Note"}, reported.summary_url,
    ]))
    process(app)
    first, second = _reports(app)
    assert [target["kind"] for target in first.targets] == ["actor"]
    assert second.targets == [{"kind": "summary", "public_id": reported.summary_id, "uri": reported.summary_url}]


def test_the_comment_is_plain_text_and_capped(
    app: Flask, client: Any, instance_actor: Remote, reported: Reported
) -> None:
    long = "<p>Look</p><script>alert(1)</script>\x07" + "x" * 6000
    deliver(client, instance_actor, flag(instance_actor, [reported.comment_url], content=long))
    deliver(client, instance_actor, flag(instance_actor, [reported.comment_url], content="a < b & c"))
    deliver(client, instance_actor, {k: v for k, v in flag(instance_actor, [reported.comment_url]).items()
                                     if k != "content"})
    process(app)
    capped, escaped, empty = _reports(app)
    assert len(capped.content) == MAX_CONTENT
    assert capped.content.startswith("Look\nxxx") and "alert" not in capped.content and "\x07" not in capped.content
    assert escaped.content == "a < b & c"
    assert empty.content == ""


def test_a_report_about_nothing_of_ours_is_ignored(
    app: Flask, client: Any, instance_actor: Remote, mallory: Remote
) -> None:
    for obj in (["https://elsewhere.example/users/x", f"{mallory.uri}/statuses/1"], "http://localhost/s/nosuch",
                mallory.uri, "http://localhost/u/nosuchuser"):
        deliver(client, instance_actor, flag(instance_actor, obj))
    process(app)
    assert count(app, Report) == 0
    assert statuses(app) == ["ignored"] * 4


def test_record_report_is_idempotent_on_the_flag_id(app: Flask, mallory: Remote, alice: Local) -> None:
    with app.app_context():
        reporter = db.session.scalar(select(Actor).where(Actor.uri == mallory.uri))
        target = ReportTarget("actor", alice.public_id, alice.url)
        first = record_report(reporter, "https://m.example/flag-1", "Rude", [target])
        again = record_report(reporter, "https://m.example/flag-1", "Rude, again", [target])
        db.session.commit()
        assert (first[1], again[1]) == (True, False) and again[0].content == "Rude"
    assert count(app, Report) == 1
