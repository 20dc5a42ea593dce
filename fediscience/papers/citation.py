"""The one-line citation of a paper, shared by pages and federated Notes."""

from __future__ import annotations

from .models import Paper


def citation(paper: Paper) -> str:
    """Up to three authors (et al.), then venue - year: `A, B, C et al. · NeurIPS - 2017`."""
    authors = paper.author_names
    names = ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")
    where = " - ".join(str(part) for part in (paper.venue, paper.year) if part)
    return " · ".join(part for part in (names, where) if part)
