"""The `fediscience tokens` commands (placeholder: filled in by the browsing issue)."""

from __future__ import annotations

import click


@click.group("token")
def group() -> None:
    """Commands for tokens."""
