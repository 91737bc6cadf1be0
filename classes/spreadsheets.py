"""Writing .xlsx files that are safe to open: no cell can start a formula (CSV/formula injection)."""

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def build_workbook(
    *, title: str, headers: list[str], rows: Iterable[Iterable[object]], text_columns: Iterable[int] = ()
) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    for row in rows:
        # A cell holding text is written with the string type explicitly, so "=1+1" is text, never a formula.
        sheet.append([neutralise_formula(value) for value in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for index in text_columns:
        for row in sheet.iter_rows(min_col=index + 1, max_col=index + 1):
            for cell in row:
                cell.number_format = "@"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) * 2 + 4)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_xlsx(**kwargs) -> bytes:
    return workbook_bytes(build_workbook(**kwargs))
