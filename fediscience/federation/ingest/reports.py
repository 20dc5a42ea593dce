"""Flag (a report) about our accounts, summaries or comments, for the admin moderation queue.

Mastodon sends `{"type": "Flag", "actor": <its instance actor>, "content": <comment>, "object": [<our actor>,
<our statuses>…]}` to the reported account's inbox; other servers embed the objects or send a single id.
"""

from __future__ import annotations

from typing import Any

from ...activitypub.parse import ids_of, text_of
from ...errors import DomainError
from ...reports.services import ReportTarget, record_report
from ..urls import actor_url, comment_url, summary_url
from .context import DONE, IGNORED, Ingest, Rejected, local_actor, local_comment, local_summary

MAX_TARGETS = 100  # ids looked at per Flag: a report names an account and some of its posts


def on_flag(ingest: Ingest) -> str:
    """Store a report naming some of our objects (once per Flag id); a Flag about nothing of ours is ignored."""
    targets = our_targets(ingest.activity.raw.get("object"))
    if not targets:
        return IGNORED
    reporter = ingest.sender
    if reporter.local:
        raise Rejected("a report from a remote inbox cannot come from a local actor")
    try:
        record_report(reporter, ingest.activity.id, text_of(ingest.activity.raw, "content"), targets)
    except DomainError as exc:
        raise Rejected(str(exc)) from None
    return DONE


def our_targets(value: Any) -> list[ReportTarget]:
    """The reported objects that are ours (local actors, summaries, comments), in order and without repeats."""
    targets: dict[tuple[str, str], ReportTarget] = {}
    for uri in ids_of(value)[:MAX_TARGETS]:
        target = _target(uri)
        if target is not None:
            targets.setdefault((target.kind, target.public_id), target)
    return list(targets.values())


def _target(uri: str) -> ReportTarget | None:
    actor = local_actor(uri)
    if actor is not None:
        return ReportTarget("actor", actor.public_id, actor_url(actor))
    summary = local_summary(uri)
    if summary is not None:
        return ReportTarget("summary", summary.public_id, summary_url(summary))
    comment = local_comment(uri)
    if comment is not None:
        return ReportTarget("comment", comment.public_id, comment_url(comment))
    return None
