"""Hostile .xlsx files, written part by part with zipfile, for the upload-limit tests and bench/import_roster.py.

Each one is small on the wire and would have held a web worker for minutes with openpyxl's read-only
reader. ``headers`` are the labels of row 1, so that a file is refused by its hostile part, not by a
missing column.
"""

import io
import random
import zipfile
from xml.sax.saxutils import escape

from classes.xlsx_reader import column_letters

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
LAST_ROW = 1048576
LAST_COLUMN = 16384  # XFD

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
PACKAGE_RELATIONSHIPS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
    '<sheets><sheet name="学员名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELATIONSHIPS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def workbook(sheet_data: bytes, *, dimension: str = "", shared_strings: list[str] | bytes = ()) -> bytes:
    """A minimal but complete .xlsx whose first sheet holds ``sheet_data`` (the inside of <sheetData>)."""
    if not isinstance(shared_strings, bytes):
        shared_strings = "".join(f"<si><t xml:space=\"preserve\">{escape(text)}</t></si>" for text in shared_strings).encode()
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + "<sheetData>"
    ).encode() + sheet_data + b"</sheetData></worksheet>"
    strings = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode() + shared_strings + b"</sst>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELATIONSHIPS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELATIONSHIPS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", strings)
    return buffer.getvalue()


def _cell(column: int, row: int, value: str) -> str:
    return f'<c r="{column_letters(column)}{row}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def row_xml(number: int, values: list[str], *, first_column: int = 1) -> bytes:
    cells = "".join(_cell(first_column + offset, number, value) for offset, value in enumerate(values))
    return f'<row r="{number}">{cells}</row>'.encode()


def lying_dimension_and_last_row(headers: list[str], first_row: list[str]) -> bytes:
    """The 5 KB file of issue #8: <dimension> claims A1:XFD1048576 and one cell sits at XFD1048576."""
    data = row_xml(1, headers) + row_xml(2, first_row) + row_xml(LAST_ROW, ["x"], first_column=LAST_COLUMN)
    return workbook(data, dimension=f"A1:XFD{LAST_ROW}")


def lying_dimension_only(headers: list[str], first_row: list[str]) -> bytes:
    """A sound sheet whose <dimension> lies: it must be read as what it holds, not padded to XFD1048576."""
    return workbook(row_xml(1, headers) + row_xml(2, first_row), dimension=f"A1:XFD{LAST_ROW}")


def value_at_last_column(headers: list[str], first_row: list[str]) -> bytes:
    """A sound header and row, plus one value at XFD1."""
    header = row_xml(1, headers).replace(b"</row>", _cell(LAST_COLUMN, 1, "备注").encode() + b"</row>")
    return workbook(header + row_xml(2, first_row))


def whitespace_rows(headers: list[str], count: int, *, seed: int = 8) -> bytes:
    """``count`` rows that only hold spaces, tabs or ideographic spaces after the header.

    The rows carry no row number (each follows the last) and pick one of four whitespace strings at
    random: varied enough to pass the compression-ratio screen, small enough to pass the upload limit.
    """
    variants = [b'<row><c t="s"><v>%d</v></c></row>' % index for index in range(4)]
    noise = random.Random(seed).randbytes(count)
    sheet_data = row_xml(1, headers) + b"".join(variants[byte & 3] for byte in noise)
    return workbook(sheet_data, shared_strings=[" ", "  ", "\t", "\u3000"])


def shared_strings_flood(headers: list[str], count: int) -> bytes:
    """A sound header, and ``count`` distinct shared strings that no cell uses."""
    strings = b"".join(b"<si><t>%d</t></si>" % number for number in range(count))
    return workbook(row_xml(1, headers), shared_strings=strings)


def empty_cells_everywhere(headers: list[str], rows: int, cells_per_row: int) -> bytes:
    """Rows within the limit, each with many value-less cells: nothing to import, a lot to parse."""
    body = b"".join(
        b'<row r="%d">' % number
        + b"".join(b'<c r="%s%d"/>' % (column_letters(column).encode(), number) for column in range(1, cells_per_row + 1))
        + b"</row>"
        for number in range(2, rows + 2)
    )
    return workbook(row_xml(1, headers) + body)
