"""Read CSV records with the physical line each starts on; a malformed record is reported, never fatal.

ShortScience wrote its export with PHP's `fputcsv`, which doubles quotes (RFC 4180) except after a
backslash: `\\"` stays as it is. Summaries are full of LaTeX, so a backslash before a quote followed by
more text is read as a literal `\\"`, as PHP would; `\\""` is still a backslash and a doubled quote.
"""

from __future__ import annotations

from dataclasses import dataclass

_END_OF_FIELD = ",\r\n"


@dataclass(frozen=True)
class CsvRecord:
    """One record: the line it starts on, and its fields or why it could not be read."""

    line: int
    fields: list[str] | None = None
    error: str | None = None


class _Malformed(Exception):
    """A record that cannot be read; the message is for the user."""


def read_records(text: str) -> list[CsvRecord]:
    """Split CSV text into records; after a malformed one, reading resumes on the line after it starts."""
    records: list[CsvRecord] = []
    position, line = 0, 1
    while position < len(text):
        try:
            fields, end = _read_record(text, position)
        except _Malformed as exc:
            records.append(CsvRecord(line, error=str(exc)))
            end = _next_line(text, position)
        else:
            if fields != [""]:  # a blank line
                records.append(CsvRecord(line, fields=fields))
        line += _count_lines(text, position, end)
        position = end
    return records


def _read_record(text: str, position: int) -> tuple[list[str], int]:
    fields: list[str] = []
    while True:
        if text.startswith('"', position):
            value, position = _quoted_field(text, position + 1)
        else:
            value, position = _plain_field(text, position)
        fields.append(value)
        if position >= len(text):
            return fields, position
        if text[position] == ",":
            position += 1
            continue
        return fields, position + (2 if text.startswith("\r\n", position) else 1)


def _plain_field(text: str, position: int) -> tuple[str, int]:
    end = position
    while end < len(text) and text[end] not in _END_OF_FIELD:
        end += 1
    value = text[position:end]
    if '"' in value:
        raise _Malformed("a quote inside a field that does not start with one (quote the whole field)")
    return value, end


def _quoted_field(text: str, position: int) -> tuple[str, int]:
    parts: list[str] = []
    while True:
        quote = text.find('"', position)
        if quote == -1:
            raise _Malformed("a quoted field is never closed (a missing closing quote)")
        parts.append(text[position:quote])
        after = text[quote + 1] if quote + 1 < len(text) else ""
        if after == '"':
            parts.append('"')
            position = quote + 2
        elif text[quote - 1] == "\\" and after not in ("", *_END_OF_FIELD):
            parts.append('"')  # PHP's fputcsv leaves \" undoubled
            position = quote + 1
        elif after in ("", *_END_OF_FIELD):
            return "".join(parts), quote + 1
        else:
            raise _Malformed("text after a closing quote: a quote inside the text is not doubled, or a quoted field "
                            "is not closed")


def _next_line(text: str, position: int) -> int:
    ends = [found for found in (text.find("\n", position), text.find("\r", position)) if found != -1]
    if not ends:
        return len(text)
    end = min(ends)
    return end + (2 if text.startswith("\r\n", end) else 1)


def _count_lines(text: str, start: int, end: int) -> int:
    chunk = text[start:end]
    # A lone \r ends a line as well (old Mac files); \r\n counts once.
    return chunk.count("\n") + chunk.count("\r") - chunk.count("\r\n")
