"""Reading and checking a roster workbook (.xlsx). No database: the caller passes what it knows.

The file is untrusted: its container is checked before openpyxl sees it (size, zip structure,
compression ratio against zip bombs), and openpyxl parses its XML through defusedxml (entity expansion,
external references and DTDs are refused).
"""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date

from .identity import IdentifierError, check_resident_id_matches, normalise_mobile, parse_resident_id
from .masking import MaskedPersonalData

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


def read_rows(data: bytes, *, max_rows: int, columns=COLUMNS) -> list[tuple[int, dict[str, object]]]:
    """The rows of the first sheet as (excel row number, {column key: raw value}), blank rows skipped.

    ``columns`` are (key, header label) pairs; any other sheet with the same contract can use this reader."""
    import defusedxml
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        positions = _column_positions(header, columns)
        records = []
        for offset, values in enumerate(rows, start=2):
            if values is None or all(value is None or str(value).strip() == "" for value in values):
                continue
            if len(records) >= max_rows:
                raise RosterFileError(f"名册行数超过上限 {max_rows} 行，请分批导入")
            records.append((offset, {key: _cell(values, index) for key, index in positions.items()}))
        workbook.close()
    except RosterFileError:
        raise
    except Exception as error:  # noqa: BLE001 - any parser failure on an untrusted file is one user-facing answer
        if _caused_by(error, defusedxml.DefusedXmlException):
            raise RosterFileError("文件包含不安全的 XML 内容（实体、DTD 或外部引用），拒绝导入") from None
        raise RosterFileError("文件无法读取，请使用下载的模板重新填写") from None
    if not records:
        raise RosterFileError("文件中没有数据行")
    return records


def _caused_by(error: BaseException, kind: type) -> bool:
    """openpyxl wraps parser errors in its own; look down the chain for the real cause."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, kind):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _column_positions(header, columns) -> dict[str, int]:
    labels = [str(value).strip() if value is not None else "" for value in (header or ())]
    positions = {}
    missing = []
    for key, label in columns:
        if label in labels:
            positions[key] = labels.index(label)
        else:
            missing.append(label)
    if missing:
        raise RosterFileError(f"缺少列：{'、'.join(missing)}（请使用下载的模板）")
    return positions


def _cell(values: tuple, index: int) -> object:
    return values[index] if index < len(values) else None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_rows(
    records: list[tuple[int, dict[str, object]]],
    *,
    category_ids_by_name: dict[str, int],
    enrolled_id_numbers: set[str],
    registered_names_by_id_number: dict[str, str],
    today: date,
) -> RosterCheck:
    """Validates every row and reports every problem, row by row, in Chinese."""
    check = RosterCheck(row_count=len(records))
    first_row_by_id_number: dict[str, int] = {}
    for row_number, raw in records:
        errors_before = len(check.errors)

        def fail(column: str, message: str) -> None:
            check.errors.append(RowError(row_number, COLUMN_LABELS[column], message))

        name = _text(raw["name"])
        if not name:
            fail("name", "姓名不能为空")
        elif len(name) > 40:
            fail("name", "姓名过长（最多40个字）")

        gender = GENDERS.get(_text(raw["gender"]))
        if gender is None:
            fail("gender", "性别应填“男”或“女”")

        resident_id = None
        if isinstance(raw["id_number"], (int, float)):
            fail("id_number", "身份证号须以文本格式填写（数字格式会丢失末尾几位）")
        else:
            try:
                resident_id = parse_resident_id(_text(raw["id_number"]), today=today)
                if gender:
                    check_resident_id_matches(resident_id, gender=gender)
            except IdentifierError as error:
                fail("id_number", str(error))

        if resident_id is not None:
            number = resident_id.number
            if number in first_row_by_id_number:
                fail("id_number", f"与第 {first_row_by_id_number[number]} 行身份证号重复")
            else:
                first_row_by_id_number[number] = row_number
            if number in enrolled_id_numbers:
                fail("id_number", "该学员已在本班花名册中")
            registered_name = registered_names_by_id_number.get(number)
            if registered_name is not None and name and registered_name != name:
                fail("name", "该身份证号已登记的姓名与本行姓名不一致")

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
