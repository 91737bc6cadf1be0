"""Reading and checking a roster workbook (.xlsx). No database: the caller passes what it knows.

The file is untrusted: its container is checked first (size, zip structure, compression ratio against
zip bombs), then the first sheet is streamed by ``xlsx_reader`` within limits derived from the row limit
(XML bytes, cells, row number, columns), so that no upload holds a web worker for long.
"""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date

from .identity import IdentifierError, check_resident_id_matches, clean_person_name, normalise_mobile, parse_resident_id
from .masking import MaskedPersonalData
from .xlsx_reader import SheetLimits, WorkbookError, first_sheet_rows

COLUMNS = (
    ("name", "姓名"),
    ("gender", "性别"),
    ("id_number", "身份证号"),
    ("phone", "联系电话"),
    ("category", "人员类别"),
)
COLUMN_LABELS = dict(COLUMNS)
GENDERS = {"男": "male", "女": "female"}
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_MEMBERS = 500
# The header and every value must sit within the first MAX_COLUMNS columns (A to AX).
MAX_COLUMNS = 50
# Per allowed row, on average: the template has 5 columns; a county's own sheet may have a dozen or two.
CELLS_PER_ROW = 20
SHEET_XML_BYTES_PER_ROW = 2048


class RosterFileError(Exception):
    """The file as a whole cannot be imported; str() is the user message."""


@dataclass(frozen=True)
class RowError:
    row_number: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row_number, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class RosterRow(MaskedPersonalData):
    row_number: int
    name: str
    gender: str
    id_number: str
    birth_date: date
    phone: str
    category_id: int


@dataclass
class RosterCheck:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    row_count: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors and self.row_count > 0


def check_container(data: bytes, *, max_bytes: int) -> None:
    """Refuses anything that is not a plausible, bounded .xlsx, judged by content, not by file name."""
    if len(data) > max_bytes:
        raise RosterFileError(f"文件过大，上限为 {max_bytes // (1024 * 1024)} MB")
    if not data.startswith(b"PK\x03\x04"):
        raise RosterFileError("文件不是 Excel 工作簿（.xlsx），请使用下载的模板")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except zipfile.BadZipFile:
        raise RosterFileError("文件已损坏，无法读取") from None
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise RosterFileError("文件不是 Excel 工作簿（.xlsx），请使用下载的模板")
    if len(members) > MAX_MEMBERS:
        raise RosterFileError("文件结构异常，拒绝导入")
    if any(member.flag_bits & 0x1 for member in members):
        raise RosterFileError("文件已加密，请去除密码后再上传")
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise RosterFileError("文件解压后过大，拒绝导入")
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
            raise RosterFileError("文件压缩比异常（疑似压缩炸弹），拒绝导入")


def sheet_limits(max_rows: int) -> SheetLimits:
    """What reading a sheet of at most ``max_rows`` data rows (plus the header) may cost.

    The template filled through openpyxl takes about 330 bytes of sheet XML per row (five columns of inline
    strings: 1.6 MB for 5,000 rows; Excel's shared strings take less); 2 KB a row leaves room for a county's
    own extra columns, and the cell budget (also the budget of shared strings) CELLS_PER_ROW cells a row.
    """
    last_row = max_rows + 1
    return SheetLimits(
        last_row=last_row,
        max_columns=MAX_COLUMNS,
        max_cells=last_row * CELLS_PER_ROW,
        max_xml_bytes=last_row * SHEET_XML_BYTES_PER_ROW,
    )


def read_rows(data: bytes, *, max_rows: int, columns=COLUMNS) -> list[tuple[int, dict[str, object]]]:
    """The rows of the first sheet as (excel row number, {column key: raw value}), blank rows skipped.

    Row 1 is the header; ``columns`` are (key, header label) pairs, found within the first MAX_COLUMNS
    columns, so any other sheet with the same contract can use this reader. Only those columns are kept.
    Refuses (RosterFileError) a sheet past the limits of ``sheet_limits(max_rows)``.
    """
    records = []
    try:
        rows = first_sheet_rows(data, limits=sheet_limits(max_rows))
        header_number, header = next(rows, (0, {}))
        positions = _column_positions(header if header_number == 1 else {}, columns)
        for row_number, values in rows:
            if all(str(value).strip() == "" for value in values.values()):
                continue
            records.append((row_number, {key: values.get(column) for key, column in positions.items()}))
    except WorkbookError as error:
        raise RosterFileError(str(error)) from None
    if not records:
        raise RosterFileError("文件中没有数据行")
    return records


def _column_positions(header: dict[int, object], columns) -> dict[str, int]:
    """Column number of each label; the leftmost wins when a label repeats."""
    by_label: dict[str, int] = {}
    for column in sorted(header):
        by_label.setdefault(str(header[column]).strip(), column)
    missing = [label for _key, label in columns if label not in by_label]
    if missing:
        raise RosterFileError(f"缺少列：{'、'.join(missing)}（表头须在第 1 行前 {MAX_COLUMNS} 列内，请使用下载的模板）")
    return {key: by_label[label] for key, label in columns}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def resident_id_cell(value: object, *, today: date):
    """A sheet cell holding a resident ID number, parsed; IdentifierError with the Chinese message otherwise.
    Excel turns an ID typed as a number into a float that has lost its last digits: refused, not guessed."""
    if isinstance(value, (int, float)):
        raise IdentifierError("身份证号须以文本格式填写（数字格式会丢失末尾几位）")
    return parse_resident_id(_text(value), today=today)


def check_rows(
    records: list[tuple[int, dict[str, object]]],
    *,
    category_ids_by_name: dict[str, int],
    enrolled_id_numbers: set[str],
    today: date,
) -> RosterCheck:
    """Validates every row and reports every problem, row by row, in Chinese.

    Nothing here depends on whether an ID number is registered through another institution's roster, nor
    under which name: the answer to the institution must not tell (issue #8 item 9). A name that differs
    from the registered one is kept on the enrollment and shown to the county, not to the institution.
    """
    check = RosterCheck(row_count=len(records))
    first_row_by_id_number: dict[str, int] = {}
    for row_number, raw in records:
        errors_before = len(check.errors)

        def fail(column: str, message: str) -> None:
            check.errors.append(RowError(row_number, COLUMN_LABELS[column], message))

        name = ""
        try:
            name = clean_person_name(_text(raw["name"]))
        except IdentifierError as error:
            fail("name", str(error))

        gender = GENDERS.get(_text(raw["gender"]))
        if gender is None:
            fail("gender", "性别应填“男”或“女”")

        resident_id = None
        try:
            resident_id = resident_id_cell(raw["id_number"], today=today)
            if gender:
                check_resident_id_matches(resident_id, gender=gender)
        except IdentifierError as error:
            resident_id = None
            fail("id_number", str(error))

        if resident_id is not None:
            number = resident_id.number
            if number in first_row_by_id_number:
                fail("id_number", f"与第 {first_row_by_id_number[number]} 行身份证号重复")
            else:
                first_row_by_id_number[number] = row_number
            if number in enrolled_id_numbers:
                fail("id_number", "该学员已在本班花名册中")

        phone = ""
        try:
            phone = normalise_mobile(_text(raw["phone"]))
        except IdentifierError as error:
            fail("phone", str(error))

        category_id = category_ids_by_name.get(_text(raw["category"]))
        if category_id is None:
            fail("category", f"人员类别“{_text(raw['category'])}”不在政策规定的类别中")

        if len(check.errors) == errors_before:
            check.rows.append(
                RosterRow(
                    row_number=row_number,
                    name=name,
                    gender=gender,
                    id_number=resident_id.number,
                    birth_date=resident_id.birth_date,
                    phone=phone,
                    category_id=category_id,
                )
            )
    return check
