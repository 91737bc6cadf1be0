"""Roster import: preview, per-row Chinese errors, all-or-nothing, hostile files, export."""

import io
import random
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from classes import services
from classes.demo_data import make_roster_rows, roster_workbook_bytes
from classes.models import Enrollment, RosterImport, Trainee
from conftest import enroll
from xingan_training.errors import ServiceError
from xingan_training.personal_data import id_number_digest


def rows(count, seed=1):
    return make_roster_rows(random.Random(seed), count)


def preview(user, training_class, data, name="名册.xlsx"):
    return services.roster_import_preview(actor=user, training_class=training_class, file_name=name, data=data)


def errors_of(roster_import):
    return [(error["row"], error["column"], error["message"]) for error in roster_import.errors]


@pytest.fixture
def big_class(institution, occupation):
    from conftest import make_class

    return make_class(institution, occupation, batch_number="XA152201-2026-900", headcount=200)


class TestPreviewAndConfirm:
    def test_a_valid_roster_is_previewed_without_writing_then_confirmed(self, institution_user, training_class):
        data = roster_workbook_bytes(rows(5))
        roster_import = preview(institution_user, training_class, data)
        assert roster_import.status == RosterImport.Status.PREVIEWED
        assert Enrollment.objects.filter(training_class=training_class).count() == 0

        services.roster_import_confirm(actor=institution_user, roster_import=roster_import)
        roster_import.refresh_from_db()
        assert roster_import.status == RosterImport.Status.CONFIRMED
        assert bytes(roster_import.content) == b"", "personal data is not kept once imported"
        assert Enrollment.objects.filter(training_class=training_class).count() == 5
        assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT_ROSTER, actor=institution_user).count() == 1

    def test_imported_rows_leave_an_audit_history_with_the_importer(self, institution_user, training_class):
        roster_import = preview(institution_user, training_class, roster_workbook_bytes(rows(3)))
        services.roster_import_confirm(actor=institution_user, roster_import=roster_import)
        histories = Enrollment.history.filter(training_class_id=training_class.pk)
        assert histories.count() == 3
        assert set(histories.values_list("history_user_id", flat=True)) == {institution_user.pk}

    def test_a_confirmed_import_cannot_be_confirmed_twice(self, institution_user, training_class):
        roster_import = preview(institution_user, training_class, roster_workbook_bytes(rows(2)))
        services.roster_import_confirm(actor=institution_user, roster_import=roster_import)
        with pytest.raises(ServiceError, match="不能再次确认"):
            services.roster_import_confirm(actor=institution_user, roster_import=roster_import)
        assert Enrollment.objects.filter(training_class=training_class).count() == 2

    def test_a_person_already_registered_elsewhere_is_linked_not_duplicated(
        self, institution_user, training_class, other_class
    ):
        theirs = other_class.enrollments.first()
        someone = theirs.trainee
        row = [someone.name, someone.get_gender_display(), someone.id_number, theirs.phone, someone.category.name]
        roster_import = preview(institution_user, training_class, roster_workbook_bytes([row]))
        services.roster_import_confirm(actor=institution_user, roster_import=roster_import)
        assert Trainee.objects.filter(id_number_digest=id_number_digest(someone.id_number)).count() == 1
        assert someone.enrollments.count() == 2

    def test_roster_changed_between_preview_and_confirm_is_rechecked(self, institution_user, training_class):
        data = roster_workbook_bytes(rows(3))
        first = preview(institution_user, training_class, data)
        second = preview(institution_user, training_class, data)
        services.roster_import_confirm(actor=institution_user, roster_import=first)
        result = services.roster_import_confirm(actor=institution_user, roster_import=second)
        assert result.status == RosterImport.Status.REJECTED
        assert any("已在本班花名册中" in message for _row, _column, message in errors_of(result))
        assert Enrollment.objects.filter(training_class=training_class).count() == 3


class TestRowErrors:
    def test_every_bad_row_gets_its_own_chinese_message_and_nothing_is_written(self, institution_user, training_class):
        good = rows(8)
        bad_check_digit = good[0][:]
        bad_check_digit[2] = bad_check_digit[2][:-1] + ("0" if bad_check_digit[2][-1] != "0" else "1")
        bad_birth_date = good[1][:]
        bad_birth_date[2] = "152201199002301231"
        wrong_gender = good[2][:]
        wrong_gender[1] = "女" if wrong_gender[1] == "男" else "男"
        bad_mobile = good[3][:]
        bad_mobile[3] = "12345678901"
        unknown_category = good[4][:]
        unknown_category[4] = "退休人员"
        duplicate = good[5][:]
        data = roster_workbook_bytes(
            [bad_check_digit, bad_birth_date, wrong_gender, bad_mobile, unknown_category, good[5], duplicate]
        )
        roster_import = preview(institution_user, training_class, data)
        assert roster_import.status == RosterImport.Status.REJECTED
        found = errors_of(roster_import)
        assert (2, "身份证号", "身份证号校验位错误") in found
        assert (3, "身份证号", "身份证号中的出生日期不存在") in found
        assert (4, "身份证号", "性别与身份证号不符") in found
        assert (5, "联系电话", "手机号码格式不正确") in found
        assert (6, "人员类别", "人员类别“退休人员”不在政策规定的类别中") in found
        assert (8, "身份证号", "与第 7 行身份证号重复") in found
        assert bytes(roster_import.content) == b""
        assert Trainee.objects.count() == 0

    def test_a_trainee_already_in_the_class_is_an_error(self, institution_user, training_class):
        enrollment = enroll(training_class, 1)[0]
        existing = enrollment.trainee
        row = [existing.name, existing.get_gender_display(), existing.id_number, enrollment.phone, existing.category.name]
        roster_import = preview(institution_user, training_class, roster_workbook_bytes([row]))
        assert errors_of(roster_import) == [(2, "身份证号", "该学员已在本班花名册中")]

    def test_an_id_typed_as_a_number_is_refused_because_excel_loses_digits(self, institution_user, training_class):
        row = rows(1)[0]
        row[2] = 152201199001011231
        roster_import = preview(institution_user, training_class, roster_workbook_bytes([row]))
        assert "文本格式" in errors_of(roster_import)[0][2]

    def test_missing_column_refuses_the_file(self, institution_user, training_class):
        data = roster_workbook_bytes([r[:4] for r in rows(2)], headers=["姓名", "性别", "身份证号", "联系电话"])
        with pytest.raises(ServiceError, match="缺少列：人员类别"):
            preview(institution_user, training_class, data)
        assert RosterImport.objects.count() == 0

    def test_more_trainees_than_registered_headcount_is_refused(self, institution_user, institution, occupation):
        from conftest import make_class

        small = make_class(institution, occupation, batch_number="XA152201-2026-010", headcount=3)
        roster_import = preview(institution_user, small, roster_workbook_bytes(rows(4)))
        assert roster_import.status == RosterImport.Status.REJECTED
        assert "超过备案人数 3 人" in roster_import.errors[0]["message"]

    def test_an_error_at_row_500_of_1000_writes_nothing(self, institution_user, big_class):
        data_rows = rows(1000)
        data_rows[499][3] = "1380000"  # row 501 of the sheet: a bad mobile number
        roster_import = preview(institution_user, big_class, roster_workbook_bytes(data_rows))
        assert errors_of(roster_import) == [(501, "联系电话", "手机号码格式不正确")]
        assert Trainee.objects.count() == 0
        assert Enrollment.objects.count() == 0


class TestHostileFiles:
    def test_content_decides_not_the_file_name(self, institution_user, training_class):
        with pytest.raises(ServiceError, match="不是 Excel 工作簿"):
            preview(institution_user, training_class, "姓名,性别\n张三,男\n".encode(), name="名册.xlsx")
        real = preview(institution_user, training_class, roster_workbook_bytes(rows(1)), name="名册.txt")
        assert real.status == RosterImport.Status.PREVIEWED

    def test_a_plain_zip_is_not_a_workbook(self, institution_user, training_class):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        with pytest.raises(ServiceError, match="不是 Excel 工作簿"):
            preview(institution_user, training_class, buffer.getvalue())

    def test_oversized_upload_is_refused(self, institution_user, training_class, settings):
        settings.ROSTER_UPLOAD_MAX_BYTES = 1024
        with pytest.raises(ServiceError, match="文件过大"):
            preview(institution_user, training_class, roster_workbook_bytes(rows(50)))

    def test_zip_bomb_is_refused_before_parsing(self, institution_user, training_class):
        original = roster_workbook_bytes(rows(1))
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
            for item in source.infolist():
                bomb.writestr(item, source.read(item.filename))
            bomb.writestr("xl/media/padding.bin", b"\0" * (50 * 1024 * 1024))
        with pytest.raises(ServiceError, match="压缩"):
            preview(institution_user, training_class, buffer.getvalue())

    def test_xml_entity_bomb_is_refused(self, institution_user, training_class):
        original = roster_workbook_bytes(rows(1))
        doctype = (
            '<!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as evil:
            for item in source.infolist():
                content = source.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    text = doctype + content.decode().split("?>", 1)[-1]
                    content = text.replace("<t>", "<t>&lol2;", 1).encode()
                evil.writestr(item, content)
        with pytest.raises(ServiceError, match="不安全的 XML"):
            preview(institution_user, training_class, buffer.getvalue())
        assert Trainee.objects.count() == 0


class TestExport:
    def test_export_masks_numbers_neutralises_formulas_and_is_audited(self, login, institution_user, training_class):
        enrollment = enroll(training_class, 2)[0]
        trainee = enrollment.trainee
        Enrollment.objects.filter(pk=enrollment.pk).update(roster_name="=HYPERLINK(\"http://evil\",\"x\")")
        response = login(institution_user).get(reverse("classes:roster_export", args=[training_class.pk]))
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert values[0][:4] == ["姓名", "性别", "身份证号", "联系电话"]
        exported = values[1]
        assert exported[0] == "'=HYPERLINK(\"http://evil\",\"x\")"
        assert exported[2] == trainee.masked_id_number and "*" in exported[2]
        assert exported[3] == enrollment.masked_phone
        assert trainee.id_number not in response.content.decode("latin-1")
        assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_PERSONAL_DATA, actor=institution_user).exists()

    def test_template_has_the_columns_and_the_allowed_categories(self, login, institution_user):
        response = login(institution_user).get(reverse("classes:roster_template"))
        workbook = load_workbook(io.BytesIO(response.content))
        assert [cell.value for cell in workbook.worksheets[0][1]] == ["姓名", "性别", "身份证号", "联系电话", "人员类别"]
        notes = " ".join(str(cell.value) for row in workbook["填写说明"].iter_rows() for cell in row)
        assert "防止返贫监测对象" in notes and "就业困难人员" in notes


class TestUploadPages:
    def test_upload_shows_row_errors_then_a_fixed_file_imports(self, login, institution_user, training_class):
        client = login(institution_user)
        bad = rows(3)
        bad[1][3] = "123"
        upload_url = reverse("classes:roster_upload", args=[training_class.pk])
        response = client.post(upload_url, {"file": SimpleUploadedFile("名册.xlsx", roster_workbook_bytes(bad))}, follow=True)
        page = response.content.decode()
        assert "第 3 行" in page and "手机号码格式不正确" in page
        assert Enrollment.objects.count() == 0

        response = client.post(upload_url, {"file": SimpleUploadedFile("名册.xlsx", roster_workbook_bytes(rows(3)))}, follow=True)
        assert "检查通过：3 名学员可以导入" in response.content.decode()
        roster_import = RosterImport.objects.get(status=RosterImport.Status.PREVIEWED)
        response = client.post(
            reverse("classes:roster_import_confirm", args=[training_class.pk, roster_import.pk]), follow=True
        )
        assert "已导入 3 名学员" in response.content.decode()
        assert Enrollment.objects.filter(training_class=training_class).count() == 3

    def test_a_refused_file_keeps_the_form_and_says_why(self, login, institution_user, training_class):
        response = login(institution_user).post(
            reverse("classes:roster_upload", args=[training_class.pk]),
            {"file": SimpleUploadedFile("名册.xlsx", b"not a workbook")},
        )
        assert response.status_code == 200
        assert "不是 Excel 工作簿" in response.content.decode()


def test_unconfirmed_previews_are_voided_and_their_files_cleared_after_a_day(institution_user, training_class):
    from datetime import timedelta

    from django.utils import timezone

    from classes.tasks import purge_stale_roster_imports

    stale = preview(institution_user, training_class, roster_workbook_bytes(rows(2)))
    fresh = preview(institution_user, training_class, roster_workbook_bytes(rows(2, seed=2)))
    RosterImport.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_stale_roster_imports() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == RosterImport.Status.REJECTED and bytes(stale.content) == b""
    assert fresh.status == RosterImport.Status.PREVIEWED and len(bytes(fresh.content)) > 0


def test_a_name_of_invisible_characters_is_a_row_error(reference_data):
    from datetime import date

    from classes.roster_file import check_rows

    records = [(2, {"name": "\u200b\u200b", "gender": "男", "id_number": "152201199001011238", "phone": "13800138000",
                    "category": "农村牧区转移就业劳动者"})]
    check = check_rows(records, category_ids_by_name={"农村牧区转移就业劳动者": 1}, enrolled_id_numbers=set(),
                       today=date(2026, 11, 30))
    assert [(error.column, error.message) for error in check.errors if error.column == "姓名"] == [
        ("姓名", "姓名不能为空，也不能只由空格或不可见字符组成")
    ]
