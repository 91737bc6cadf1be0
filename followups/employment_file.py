"""The employment tracking file as .xlsx: exported per class, filled by the institution, imported all or nothing."""

from decimal import Decimal, InvalidOperation

from classes.roster_file import RowError, check_container, read_rows
from classes.spreadsheets import build_xlsx

from .models import FollowupItem

COLUMNS = (
    ("enrollment_id", "学员编号"),
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("destination", "就业去向"),
    ("employer", "就业单位"),
    ("monthly_wage", "月工资收入（元）"),
    ("skill_improvement", "技能提升情况"),
)
DESTINATIONS = {label: value for value, label in FollowupItem.EmploymentStatus.choices}


def employment_export_xlsx(roster) -> bytes:
    """One row per trainee of the roster (the roster's names, numbers masked); 学员编号 ties a row back to the
    roster on import."""
    rows = []
    for enrollment in roster:
        record = getattr(enrollment, "employment_record", None)
        rows.append([
            enrollment.pk, enrollment.roster_name, enrollment.trainee.masked_id_number,
            record.get_destination_display() if record else "", record.employer if record else "",
            int(record.monthly_wage) if record and record.monthly_wage is not None else "",
            record.skill_improvement if record else "",
        ])
    notes = "就业去向只能填：" + "、".join(DESTINATIONS)
    return build_xlsx(title="就业跟踪档案", headers=[label for _key, label in COLUMNS] + [notes], rows=rows)


def check_employment_rows(data: bytes, *, enrollments_by_id: dict[int, str], max_bytes: int, max_rows: int):
    """Returns (valid rows, per-row errors). ``enrollments_by_id`` maps the class's enrollment ids to names."""
    check_container(data, max_bytes=max_bytes)
    valid, errors = [], []
    for row_number, raw in read_rows(data, max_rows=max_rows, columns=COLUMNS):
        problems = []
        try:
            enrollment_id = int(str(raw["enrollment_id"]).strip())
        except (TypeError, ValueError):
            enrollment_id = None
        name = str(raw["name"] or "").strip()
        if enrollment_id not in enrollments_by_id:
            problems.append(("学员编号", "学员编号不属于本班花名册"))
        elif enrollments_by_id[enrollment_id] != name:
            problems.append(("姓名", "姓名与学员编号不一致"))
        destination = DESTINATIONS.get(str(raw["destination"] or "").strip())
        if destination is None:
            problems.append(("就业去向", f"就业去向“{raw['destination'] or ''}”不在可选范围内"))
        wage = None
        if raw["monthly_wage"] not in (None, ""):
            try:
                wage = Decimal(str(raw["monthly_wage"]).strip())
                if wage < 0 or wage > Decimal("99999999"):
                    raise InvalidOperation
            except InvalidOperation:
                problems.append(("月工资收入（元）", "月工资应为不小于0的数字"))
        if problems:
            errors.extend(RowError(row_number, column, message) for column, message in problems)
            continue
        valid.append({
            "enrollment_id": enrollment_id, "destination": destination,
            "employer": str(raw["employer"] or "").strip()[:100], "monthly_wage": wage,
            "skill_improvement": str(raw["skill_improvement"] or "").strip()[:200],
        })
    return valid, errors
