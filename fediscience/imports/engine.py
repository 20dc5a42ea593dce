"""The import loop shared by the CLI and the web job: one transaction per row, progress after each."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy.exc import IntegrityError

from ..db import db
from ..errors import DomainError
from ..papers.identifiers import InvalidIdentifier
from ..papers.metadata import MetadataError

Row = TypeVar("Row")


class RowProblem(Exception):
    """A row that cannot be imported; the message is for the user."""


@dataclass
class RowError:
    """A refused row: its line in the file and why."""

    line: int | None
    message: str

    def as_dict(self) -> dict[str, int | str | None]:
        """The JSON form kept on an import run."""
        return {"line": self.line, "message": self.message}


@dataclass
class ImportReport:
    """Counts of an import so far: rows in the file, done, imported, skipped as already there, and errors."""

    total: int = 0
    processed: int = 0
    imported: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)


Progress = Callable[[ImportReport], None]


@dataclass(frozen=True)
class Line(Generic[Row]):
    """A parsed row with its line number, or the reason it could not be parsed."""

    line: int | None
    row: Row | None = None
    error: str | None = None


def import_rows(lines: Sequence[Line[Row]], handle: Callable[[Row], bool], progress: Progress | None = None,
                report: ImportReport | None = None) -> ImportReport:
    """Run handle (True: imported, False: already there) on each row, committing each row or rolling it back.

    A refused row is rolled back alone and reported with its line; the others go on. Unexpected errors
    propagate, after the rows before them were committed.
    """
    report = report or ImportReport()
    report.total = len(lines)
    for line in lines:
        _import_one(line, handle, report)
        report.processed += 1
        if progress is not None:
            progress(report)
    return report


def _import_one(line: Line[Row], handle: Callable[[Row], bool], report: ImportReport) -> None:
    try:
        if line.row is None:
            raise RowProblem(line.error or "unreadable row")
        created = handle(line.row)
    except (RowProblem, DomainError, MetadataError, InvalidIdentifier) as exc:
        db.session.rollback()
        report.errors.append(RowError(line.line, str(exc)))
        return
    except IntegrityError:
        db.session.rollback()
        report.errors.append(RowError(line.line, "it clashed with a change saved at the same time; import again"))
        return
    db.session.commit()
    if created:
        report.imported += 1
    else:
        report.skipped += 1
