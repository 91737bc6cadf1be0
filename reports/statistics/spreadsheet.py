"""The statistics report as .xlsx: title, two header rows (frozen with the county column), numbers as numbers."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from classes.spreadsheets import neutralise_formula, workbook_bytes

from .report import INT, PERCENT, TEXT, StatisticsReport, as_number

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FORMATS = {INT: "0", PERCENT: "0.0%", TEXT: "@"}
FIRST_DATA_ROW = 5  # title, period line, group header, column header


def _text(value: str) -> str:
    return neutralise_formula(value)


def statistics_xlsx_bytes(report: StatisticsReport) -> bytes:
    columns = report.xlsx_columns
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = report.period.file_label
    last_letter = get_column_letter(len(columns))

    sheet["A1"] = _text(report.title)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(f"A1:{last_letter}1")
    refreshed = f"，数据更新于 {report.refresh.finished_at:%Y-%m-%d %H:%M}" if report.refresh else ""
    sheet["A2"] = _text(
        f"统计期间：{report.period.first_day:%Y-%m-%d} 至 {report.period.last_day:%Y-%m-%d}（期间内培训结束的已结业培训班）"
        f"{refreshed}；制表时间 {report.printed_at:%Y-%m-%d %H:%M}"
    )
    sheet.merge_cells(f"A2:{last_letter}2")

    for index, column in enumerate(columns, start=1):
        group_cell = sheet.cell(row=3, column=index, value=_text(column.group or column.label))
        label_cell = sheet.cell(row=4, column=index, value=_text(column.label))
        for cell in (group_cell, label_cell):
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = BORDER
    _merge_header_groups(sheet, columns)

    for offset, row in enumerate([*report.rows, report.total]):
        is_total = offset == len(report.rows)
        for index, column in enumerate(columns, start=1):
            value = as_number(column.value(row), column.kind)
            cell = sheet.cell(row=FIRST_DATA_ROW + offset, column=index, value=_text(value) if isinstance(value, str) else value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text, never a formula
            cell.number_format = FORMATS[column.kind]
            cell.border = BORDER
            if is_total:
                cell.font = Font(bold=True)

    for index, column in enumerate(columns, start=1):
        width = 16 if index == 1 else max(8, len(column.label) * 2 + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[4].height = 30
    sheet.freeze_panes = f"B{FIRST_DATA_ROW}"
    return workbook_bytes(workbook)


def _merge_header_groups(sheet, columns) -> None:
    """A column without a group spans both header rows; a group's columns share one upper cell."""
    start = 1
    while start <= len(columns):
        group = columns[start - 1].group
        end = start
        while group and end < len(columns) and columns[end].group == group:
            end += 1
        if not group:
            sheet.merge_cells(start_row=3, start_column=start, end_row=4, end_column=start)
        elif end > start:
            sheet.merge_cells(start_row=3, start_column=start, end_row=3, end_column=end)
        start = end + 1
