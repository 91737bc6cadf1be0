"""Writes an export as .xlsx in openpyxl's write-only mode: rows go to the file as they come, so 100,000 rows
cost the memory of one chunk (bench/exports.py), not of the whole sheet.

Header row bold and frozen, column widths from the spec, dates as dates, numbers as numbers, text never a
formula (classes.spreadsheets.neutralise_formula), personal data masked unless ``reveal``.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from classes.spreadsheets import neutralise_formula

from .columns import DATE, DATETIME, DECIMAL, INTEGER, MASKS, PERCENT, TEXT, Column

NUMBER_FORMATS = {DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm", DECIMAL: "#,##0.00", PERCENT: "0.0%", INTEGER: "0"}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
SHEET_TITLE_MAX = 31  # Excel's limit


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    return neutralise_formula(str(value))


def _number(kind: str) -> Callable[[object], object]:
    def convert(value):
        if value is None or value == "":
            return None
        if kind == INTEGER:
            return int(value)
        if isinstance(value, Decimal) and kind == DECIMAL:
            return value
        return float(value)

    return convert


def _date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):  # a timestamp in a date column: the local day
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _datetime(value) -> datetime | None:
    if value is None:
        return None
    # Excel has no time zones: write the portal's local time, as the pages show it.
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


CONVERTERS = {TEXT: _text, INTEGER: _number(INTEGER), DECIMAL: _number(DECIMAL), PERCENT: _number(PERCENT),
              DATE: _date, DATETIME: _datetime}


class _CellMaker:
    """One column's way from a row to a cell value (plain for text, a formatted cell for numbers and dates)."""

    def __init__(self, sheet, column: Column, *, reveal: bool):
        self.sheet = sheet
        self.column = column
        self.mask = MASKS[column.personal] if column.personal and not reveal else None
        self.convert = CONVERTERS[column.kind]
        self.number_format = NUMBER_FORMATS.get(column.kind) if column.kind != INTEGER else None

    def __call__(self, row):
        value = self.column.value(row)
        if self.mask is not None and value:
            value = self.mask(str(value))
        value = self.convert(value)
        if value is None or self.number_format is None:
            return value
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.number_format = self.number_format
        return cell


def write_workbook(
    target,
    *,
    title: str,
    columns: list[Column],
    batches: Iterable[Iterable],
    reveal: bool,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Writes the rows of ``batches`` (one iterable per chunk) to ``target`` (a path or a binary file) and
    returns how many rows were written; ``on_progress(rows so far)`` after each chunk."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:SHEET_TITLE_MAX])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        header.append(cell)
    sheet.append(header)
    makers = [_CellMaker(sheet, column, reveal=reveal) for column in columns]
    written = 0
    for batch in batches:
        for row in batch:
            sheet.append([make(row) for make in makers])
            written += 1
        if on_progress is not None:
            on_progress(written)
    workbook.save(target)
    return written
