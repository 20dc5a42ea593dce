"""Recording reports, the moderation queue, and resolving reports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ..comments.models import Comment
from ..db import db, insert_ignoring_conflicts, utcnow
from ..errors import Invalid
from ..summaries.models import Summary
from ..text.plain import plain_text
from ..users.models import Actor
from .models import Report

MAX_CONTENT = 5000  # what Mastodon keeps of a received report's comment (activity/flag.rb)
KINDS = ("actor", "summary", "comment")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # keeps \t and \n; PostgreSQL cannot store NUL


@dataclass(frozen=True)
class ReportTarget:
    """One reported object of ours: its kind, public id and ActivityPub id."""

    kind: str
    public_id: str
    uri: str

    def to_json(self) -> dict[str, str]:
        """The form stored in `Report.targets`."""
        return {"kind": self.kind, "public_id": self.public_id, "uri": self.uri}


def report_text(content: str | None) -> str:
    """A report's comment as plain text (tags stripped, control characters dropped), at most MAX_CONTENT long."""
    if not content:
        return ""
    text = _CONTROL.sub("", plain_text(content.replace("\r\n", "\n")))
    return text[:MAX_CONTENT].strip()


def record_report(reporter: Actor, uri: str, content: str | None, targets: list[ReportTarget]) -> tuple[Report, bool]:
    """Store a report (once per `uri`) and say whether it is new; the content is cleaned here."""
    if not targets:
        raise Invalid("A report needs at least one reported object.")
    if any(target.kind not in KINDS for target in targets):
        raise Invalid("Unknown kind of reported object.")
    existing = report_by_uri(uri)
    if existing is not None:
        return existing, False
    statement = insert_ignoring_conflicts(
        Report, reporter_id=reporter.id, uri=uri, content=report_text(content),
        targets=[target.to_json() for target in targets], status="open", created_at=utcnow(),
    )
    inserted = db.session.execute(statement.returning(Report.id)).scalar_one_or_none() is not None
    report = report_by_uri(uri)
    assert report is not None  # inserted now, or by a concurrent job
    return report, inserted


def report_by_uri(uri: str) -> Report | None:
    """The report received with this Flag id, if any."""
    return db.session.scalar(select(Report).where(Report.uri == uri))


def resolve_report(report: Report, moderator: Actor) -> bool:
    """Mark an open report resolved by a moderator; False if it already was."""
    if report.status == "resolved":
        return False
    report.status, report.resolved_at, report.resolved_by_id = "resolved", utcnow(), moderator.id
    db.session.flush()
    return True


def open_reports(limit: int = 100) -> list[Report]:
    """The open reports, oldest first (the queue's order)."""
    query = select(Report).where(Report.status == "open").order_by(Report.created_at, Report.id).limit(limit)
    return list(db.session.scalars(query))


def count_reports(status: str) -> int:
    """How many reports have this status."""
    return db.session.scalar(select(func.count()).select_from(Report).where(Report.status == status)) or 0


_MODELS: dict[str, Any] = {"actor": Actor, "summary": Summary, "comment": Comment}


def reported_objects(reports: list[Report]) -> dict[tuple[str, str], Any]:
    """The objects the reports name that still exist, by (kind, public_id): one query per kind."""
    wanted: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for report in reports:
        for target in report.targets or []:
            if target.get("kind") in wanted and isinstance(target.get("public_id"), str):
                wanted[target["kind"]].add(target["public_id"])
    found: dict[tuple[str, str], Any] = {}
    for kind, public_ids in wanted.items():
        if public_ids:
            model = _MODELS[kind]
            for row in db.session.scalars(select(model).where(model.public_id.in_(public_ids))):
                found[(kind, row.public_id)] = row
    return found
