"""The spreadsheets community offices keep their registers in (台账, 一户一册): reading an XLSX or a
CSV (UTF-8, or GBK as Excel saves it in China) into a header and rows of text, and writing rows
back out as CSV or XLSX."""

import csv
import io
import unicodedata
import zipfile
from datetime import date, datetime, time

from flask import Response, make_response
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MOST_ROWS = 5000
HEADER_SEARCH_ROWS = 10  # a register's title and notes come before its header


class Unreadable(Exception):
    """The file is not a spreadsheet this reads, or holds no rows."""


class TooManyRows(Unreadable):
    pass


def _text(value) -> str:
    """A cell as text: full-width digits and letters made plain, spaces trimmed; a date as
    yyyy-mm-dd; a whole number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date() if value.time() == time() else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _decoded(data: bytes) -> str:
    """data as text: UTF-8 (with or without Excel's byte-order mark), else GB18030, which reads
    every GBK and GB2312 file too."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("encoding")


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decoded(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [[_text(cell) for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise Unreadable("xlsx") from error
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    # A merged cell holds its value in its top-left cell only: give it to every cell it covers,
    # so that a header merged over two columns names both.
    for merged in sheet.merged_cells.ranges:
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(rows):
            continue
        value = rows[top][left] if left < len(rows[top]) else None
        for r in range(top, min(merged.max_row, len(rows))):
            for c in range(left, merged.max_col):
                if c < len(rows[r]) and rows[r][c] is None:
                    rows[r][c] = value
    return [[_text(cell) for cell in row] for row in rows]


def read(filename: str, data: bytes) -> list[tuple[int, list[str]]]:
    """Every row of the file's first sheet as text, each with its line number in the file (from
    1), blank rows left out. Raises Unreadable."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        rows = _xlsx_rows(data)
    elif filename.lower().endswith(".xls"):
        raise Unreadable("xls")
    else:
        rows = _csv_rows(data)
    numbered = [(line, row) for line, row in enumerate(rows, start=1) if any(row)]
    if not numbered:
        raise Unreadable("empty")
    if len(numbered) > MOST_ROWS + HEADER_SEARCH_ROWS:
        raise TooManyRows(len(numbered))
    width = max(len(row) for _line, row in numbered)
    return [(line, row + [""] * (width - len(row))) for line, row in numbered]


def header_row(rows: list[tuple[int, list[str]]], known) -> int:
    """The index of the row that names the columns: among the first rows, the one with most
    cells that known(cell) recognises (the title above it recognises none)."""
    candidates = rows[:HEADER_SEARCH_ROWS]
    scores = [sum(1 for cell in row if cell and known(cell)) for _line, row in candidates]
    best = max(range(len(candidates)), key=lambda i: (scores[i], -i))
    return best if scores[best] else 0


def _as_text(cell):
    """A cell a spreadsheet would run as a formula ("=…", "@…", "-cmd"), written as text instead;
    a phone number such as +852 9123 4567 stays as it is."""
    if not isinstance(cell, str) or not cell:
        return cell
    if cell[0] in "=@\t\r" or (cell[0] in "+-" and not cell[1:2].isdigit()):
        return "'" + cell
    return cell


def to_csv(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 with the byte-order mark Excel needs to read Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_as_text(cell) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(header: list[str], rows: list[list], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append([_as_text(cell) for cell in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(header: list[str], rows: list[list], filename: str, title: str) -> Response:
    """The rows as a file to save: XLSX (its sheet named title) when filename ends so, else CSV."""
    if filename.endswith(".xlsx"):
        content, kind = to_xlsx(header, rows, title), XLSX
    else:
        content, kind = to_csv(header, rows), CSV
    return attachment(content, filename, kind)


def attachment(content: bytes, filename: str, kind: str) -> Response:
    response = make_response(content)
    response.headers["Content-Type"] = kind
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Cache-Control"] = "no-store"
    return response
