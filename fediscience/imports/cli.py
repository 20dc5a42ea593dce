"""The `fediscience imports` commands (placeholder: filled in by the browsing issue)."""

from __future__ import annotations

import click


@click.group("import")
def group() -> None:
    """Commands for imports."""
