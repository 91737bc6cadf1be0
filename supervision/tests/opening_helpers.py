"""Builders shared by the opening-review and department-list tests: documents of each type, hostile ones, a
department's list workbook, a class ready to submit."""

import io
import zipfile
from datetime import date

from classes.demo_data import roster_workbook_bytes
from supervision import department_lists, opening, teachers
from supervision.models import DepartmentListKind

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 16
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def ole_bytes(*streams: str) -> bytes:
    return OLE + b"".join(name.encode("utf-16-le") + b"\x00" * 8 for name in streams)


def office_bytes(kind: str, *, extra: dict[str, bytes] | None = None, encrypt: bool = False) -> bytes:
    """A minimal .docx or .xlsx container (what the detector looks at: the package's parts)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    data = bytearray(buffer.getvalue())
    if encrypt:
        # The "encrypted" flag bit of the first member, in its local header and its central directory entry.
        data[6] |= 0x1
        data[data.find(b"PK\x01\x02") + 8] |= 0x1
    return bytes(data)


def upload(actor, training_class, kind="teaching_plan", *, name=None, data=PDF):
    return opening.opening_document_upload(
        actor=actor, training_class=training_class, kind=kind, file_name=name or f"{kind}.pdf", data=data
    )


def prepare(actor, training_class, teacher):
    """Teachers and both plans: what a class needs besides its roster to be submitted."""
    teachers.class_teachers_assign(actor=actor, training_class=training_class, teachers=[teacher])
    upload(actor, training_class, "teaching_plan", name="教学计划.pdf")
    upload(actor, training_class, "assessment_plan", name="考核方案.docx", data=office_bytes("docx"))


def list_workbook(people: list[tuple[object, object]]) -> bytes:
    return roster_workbook_bytes([list(person) for person in people], headers=["姓名", "身份证号"])


def import_list(actor, kind_code: str, people, *, source="兴安盟教育局", list_date=date(2026, 3, 1)):
    return department_lists.department_list_import(
        actor=actor, kind=DepartmentListKind.objects.get(code=kind_code), source_department=source,
        list_date=list_date, file_name="名单.xlsx", data=list_workbook(people),
    )


def list_enrollments(actor, enrollments, kind_code="rural_migrants"):
    """Puts these trainees on the current list that bears out their (rural migrant) category."""
    return import_list(actor, kind_code, [(item.trainee.name, item.trainee.id_number) for item in enrollments],
                       source="兴安盟农牧局")
