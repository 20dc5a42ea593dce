"""Notifications raised by domain events (comments and replies)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..signals import comment_added
from .services import notify_comment


def _on_comment(sender: Any, comment: Any, summary: Any, parent: Any = None, **extra: Any) -> None:
    notify_comment(comment, summary, parent)


def connect(app: Flask) -> None:
    """Subscribe the notification handlers to the domain signals (once per process)."""
    comment_added.connect(_on_comment, weak=False)
