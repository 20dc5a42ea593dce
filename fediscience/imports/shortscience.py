"""Import a ShortScience CSV export: one summary per row, its paper resolved by ShortScience's bibtexKey.

ShortScience's `/export` writes rows of (bibtexKey, text) with no header. FediScience's own export adds a
header `bibtexKey,text,visibility` and a third column (public, private or draft); both are read here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..http import make_client
from ..summaries.services import create_summary, summary_by
from ..users.models import User
from .csvfile import CsvRecord, read_records
from .engine import ImportReport, Line, Progress, RowProblem, import_rows
from .resolver import PaperResolver

_KEY_NAMES = {"bibtexkey", "paperid", "paper_id", "key"}
_VISIBILITY_NAMES = {"visibility", "priv", "private"}
# value → (draft, private); ShortScience's own `priv` flag was 0 or 1.
_VISIBILITIES = {
    "": (False, False), "public": (False, False), "0": (False, False), "false": (False, False),
    "private": (False, True), "1": (False, True), "true": (False, True), "draft": (True, False),
}


@dataclass(frozen=True)
class SummaryRow:
    """A summary to import: the paper's key, its Markdown text and visibility."""

    key: str
    text: str
    draft: bool = False
    private: bool = False


@dataclass(frozen=True)
class _Columns:
    key: int = 0
    text: int = 1
    visibility: int | None = 2
    width: int | None = None  # with a header, rows may not be wider than it


def parse_shortscience(text: str) -> list[Line[SummaryRow]]:
    """Read the rows of a ShortScience CSV export (a header row is optional), each with its line number."""
    records = read_records(text)
    columns = _Columns()
    if records and records[0].fields and records[0].fields[0].strip().lower() in _KEY_NAMES:
        columns = _header_columns(records[0].fields)
        records = records[1:]
    return [_parse_record(record, columns) for record in records]


def import_shortscience(text: str, user: User, progress: Progress | None = None) -> ImportReport:
    """Import the summaries of a ShortScience CSV as the user's; rows already imported are skipped."""
    lines = parse_shortscience(text)
    actor = user.actor
    with make_client() as client:
        resolver = PaperResolver(client)

        def add(row: SummaryRow) -> bool:
            paper, _ = resolver.paper_for_key(row.key)
            if summary_by(actor, paper) is not None:
                return False
            create_summary(actor, paper, row.text, draft=row.draft, private=row.private)
            return True

        return import_rows(lines, add, progress)


def _header_columns(header: list[str]) -> _Columns:
    names = [name.strip().lower() for name in header]
    text = names.index("text") if "text" in names else 1
    visibility = next((i for i, name in enumerate(names) if name in _VISIBILITY_NAMES), None)
    return _Columns(key=0, text=text, visibility=visibility, width=len(names))


def _parse_record(record: CsvRecord, columns: _Columns) -> Line[SummaryRow]:
    if record.fields is None:
        return Line(record.line, error=f"unreadable CSV: {record.error}")
    try:
        return Line(record.line, row=_summary_row(record.fields, columns))
    except RowProblem as exc:
        return Line(record.line, error=str(exc))


def _summary_row(fields: list[str], columns: _Columns) -> SummaryRow:
    widest = columns.width or (3 if columns.visibility is not None else 2)
    if len(fields) <= max(columns.key, columns.text):
        raise RowProblem("expected the paper's bibtexKey and the summary text, separated by a comma")
    if len(fields) > widest:
        raise RowProblem(f"{len(fields)} columns where at most {widest} were expected (is the text quoted?)")
    key, text = fields[columns.key].strip(), fields[columns.text].replace("\r\n", "\n").strip()
    if "\x00" in key + text:
        raise RowProblem("the row contains a NUL character")
    if not key:
        raise RowProblem("the paper key (bibtexKey) is empty")
    if not text:
        raise RowProblem(f"the summary text for {key} is empty")
    draft, private = _visibility(fields, columns)
    return SummaryRow(key=key, text=text, draft=draft, private=private)


def _visibility(fields: list[str], columns: _Columns) -> tuple[bool, bool]:
    if columns.visibility is None or columns.visibility >= len(fields):
        return False, False
    value = fields[columns.visibility].strip().lower()
    if value not in _VISIBILITIES:
        raise RowProblem(f"unknown visibility “{value[:40]}”: expected public, private or draft")
    return _VISIBILITIES[value]
