"""Reading CSV records with their line numbers, PHP's fputcsv quirks, and recovery after a bad record."""

from __future__ import annotations

import csv
import io

from fediscience.imports.csvfile import read_records
from fediscience.imports.shortscience import parse_shortscience


def fields(text: str) -> list[tuple[int, list[str] | None]]:
    return [(record.line, record.fields) for record in read_records(text)]


def test_records_keep_the_line_they_start_on_across_quoted_newlines():
    text = 'a,"one\ntwo\r\nthree"\r\nb,plain\n\nc,"x, ""y"""\n'
    assert fields(text) == [(1, ["a", "one\ntwo\r\nthree"]), (4, ["b", "plain"]), (6, ["c", 'x, "y"'])]


def test_what_python_csv_writes_reads_back_unchanged():
    rows = [["k1", 'LaTeX \\"o and \\\\ and "quotes", commas'], ["k2", "ends with a backslash \\"], ["k3", "two\nlines"]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    assert [record.fields for record in read_records(out.getvalue())] == rows


def test_phps_undoubled_backslash_quote_is_read_as_php_reads_it():
    # PHP's fputcsv writes the text  G\"odel "x"  as  "G\"odel ""x"""
    assert fields('k,"G\\"odel ""x"""\n') == [(1, ["k", 'G\\"odel "x"'])]


def test_a_bad_record_is_reported_and_reading_resumes_on_the_next_line():
    text = 'k1,"unclosed\nk2,"fine"\nk3,un"quoted\nk4,"after ""x"" y" z\nk5,last'
    records = read_records(text)
    assert [(r.line, r.fields is None) for r in records] == [(1, True), (2, False), (3, True), (4, True), (5, False)]
    assert records[1].fields == ["k2", "fine"] and records[4].fields == ["k5", "last"]
    assert "quote" in records[0].error and "quote" in records[2].error


def test_an_unterminated_quote_at_the_end_is_an_error_not_a_crash():
    records = read_records('k,"never closed\nand on')
    assert records[0].line == 1 and "never closed" in records[0].error


def test_a_header_is_optional_and_names_the_visibility_column():
    headerless = parse_shortscience('conf/nips/LeeS00,"text"\n')
    assert headerless[0].line == 1 and headerless[0].row.key == "conf/nips/LeeS00"
    with_header = parse_shortscience("bibtexKey,text,visibility\nconf/a/B,one,draft\nconf/a/C,two,private\nconf/a/D,three,odd\n")
    assert [(line.line, line.row.draft, line.row.private) for line in with_header[:2]] == [(2, True, False), (3, False, True)]
    assert with_header[2].line == 4 and "visibility" in with_header[2].error


def test_rows_with_too_few_or_too_many_columns_are_refused_with_their_line():
    lines = parse_shortscience("conf/a/B\nconf/a/B,text,public,extra\nconf/a/B,text\x00nul\n")
    assert [(line.line, line.row) for line in lines] == [(1, None), (2, None), (3, None)]
    assert "bibtexKey" in lines[0].error and "columns" in lines[1].error and "NUL" in lines[2].error
