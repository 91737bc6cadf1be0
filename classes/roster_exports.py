"""The roster's spreadsheets: the blank template institutions fill, and a class's roster export."""

from .models import TraineeCategory, TrainingClass
from .resources import RosterExportResource
from .roster_file import COLUMNS
from .selectors import class_roster
from .spreadsheets import build_workbook, build_xlsx, workbook_bytes

ID_COLUMN = 2
PHONE_COLUMN = 3


def roster_template_xlsx() -> bytes:
    headers = [label for _key, label in COLUMNS]
    blank_rows = [[None] * len(headers) for _ in range(500)]
    workbook = build_workbook(title="学员名册", headers=headers, rows=blank_rows, text_columns=(ID_COLUMN, PHONE_COLUMN))
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "填写要求"])
    notes.append(["姓名", "与身份证一致"])
    notes.append(["性别", "男 或 女，须与身份证号一致"])
    notes.append(["身份证号", "18位居民身份证号，以文本格式填写（本列已设为文本）"])
    notes.append(["联系电话", "11位手机号码"])
    notes.append(["人员类别", "只能填写以下类别之一：" + "、".join(TraineeCategory.objects.values_list("name", flat=True))])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 90
    return workbook_bytes(workbook)


def roster_export_xlsx(training_class: TrainingClass) -> bytes:
    """The roster of a class the caller fetched through its scope; numbers masked, formulas neutralised."""
    dataset = RosterExportResource().export(queryset=class_roster(training_class))
    return build_xlsx(title="学员名册", headers=list(dataset.headers), rows=dataset, text_columns=(ID_COLUMN, PHONE_COLUMN))
