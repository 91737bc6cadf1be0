"""Checking the rows of a department's list workbook (.xlsx). No database: pure, like classes.roster_file.

The file itself is read by ``classes.roster_file.read_rows`` (bounded, streaming, hardened against hostile
workbooks); only the two columns every department's list has are required: 姓名 and 身份证号.
"""

from dataclasses import dataclass, field
from datetime import date

from classes.identity import IdentifierError, clean_person_name
from classes.roster_file import RowError, resident_id_cell

COLUMNS = (("name", "姓名"), ("id_number", "身份证号"))
COLUMN_LABELS = dict(COLUMNS)


@dataclass(frozen=True)
class ListRow:
    row_number: int
    name: str
    id_number: str


@dataclass
class ListCheck:
    rows: list[ListRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value).strip()


def check_list_rows(records: list[tuple[int, dict[str, object]]], *, today: date) -> ListCheck:
    """Every row's problems, in Chinese: a name with nothing visible, an ID number that fails GB 11643 (or was
    typed as a number and lost its last digits), the same ID number twice."""
    check = ListCheck()
    first_row_of: dict[str, int] = {}
    for row_number, raw in records:
        errors_before = len(check.errors)

        def fail(column: str, message: str) -> None:
            check.errors.append(RowError(row_number, COLUMN_LABELS[column], message))

        name = ""
        try:
            name = clean_person_name(_text(raw["name"]))
        except IdentifierError as error:
            fail("name", str(error))
        number = ""
        try:
            number = resident_id_cell(raw["id_number"], today=today).number
        except IdentifierError as error:
            fail("id_number", str(error))
        if number:
            if number in first_row_of:
                fail("id_number", f"与第 {first_row_of[number]} 行身份证号重复")
            else:
                first_row_of[number] = row_number
        if len(check.errors) == errors_before:
            check.rows.append(ListRow(row_number=row_number, name=name, id_number=number))
    return check
