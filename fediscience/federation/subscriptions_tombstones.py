"""Deleted summaries and comments leave a tombstone, so that their ids answer 410 Gone with a `Tombstone`."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..signals import comment_deleted, summary_withdrawn
from .tombstones import record_tombstone
from .urls import comment_url, summary_note_id, summary_url


def _on_summary_withdrawn(sender: Any, summary: Any, deleted: bool = False, **extra: Any) -> None:
    if deleted and summary.uri is None:  # a remote copy's id belongs to its home instance
        record_tombstone(summary_url(summary), "Note")
        if summary_note_id(summary) != summary_url(summary):
            record_tombstone(summary_note_id(summary), "Note")


def _on_comment_deleted(sender: Any, comment: Any, **extra: Any) -> None:
    if comment.uri is None:
        record_tombstone(comment_url(comment), "Note", comment.deleted_at)


def connect(app: Flask) -> None:
    """Subscribe the tombstone handlers to the domain signals (idempotent: blinker keeps one per receiver)."""
    summary_withdrawn.connect(_on_summary_withdrawn, weak=False)
    comment_deleted.connect(_on_comment_deleted, weak=False)
