"""FediScience: a federated ShortScience.org."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["create_app", "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy, so that the pure packages (text, activitypub) import without Flask or SQLAlchemy.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
