"""Issue #8 item 9: what a roster says about a person (phone, name as written) stays with that roster.

One person, first enrolled by an institution of 乌兰浩特市 (county A), then by one of 突泉县 (county B) with
another phone and, in some tests, another name. Everything B's institution reads must come from B's roster.
"""

import io
import random
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from classes import services
from classes.demo_data import make_roster_rows, roster_workbook_bytes
from classes.masking import mask_phone
from classes.models import Enrollment, RosterImport, Trainee
from conftest import approve_opening, make_class
from followups import services as followup_services
from followups.models import FollowupItem
from xingan_training.personal_data import id_number_digest

A_PHONE, B_PHONE = "13911112222", "18633334444"


@pytest.fixture
def person():
    name, gender, id_number, _phone, category = make_roster_rows(random.Random(9), 1, area_code="152201")[0]
    return {"name": name, "gender": gender, "id_number": id_number, "category": category}


@pytest.fixture
def b_class(other_institution, occupation):
    return make_class(other_institution, occupation, batch_number="XA152224-2026-002")


def row_of(person, *, phone, name=None):
    return [name or person["name"], person["gender"], person["id_number"], phone, person["category"]]


def preview(user, training_class, rows):
    data = roster_workbook_bytes(rows)
    return services.roster_import_preview(actor=user, training_class=training_class, file_name="名册.xlsx", data=data)


def import_roster(user, training_class, rows) -> Enrollment:
    pending = preview(user, training_class, rows)
    assert pending.status == RosterImport.Status.PREVIEWED, pending.errors
    services.roster_import_confirm(actor=user, roster_import=pending)
    return Enrollment.objects.get(training_class=training_class, trainee__id_number_digest=id_number_digest(rows[0][2]))


@pytest.fixture
def enrolled_twice(person, institution_user, other_institution_user, training_class, b_class):
    """The person on A's roster with A's phone, then on B's roster with B's phone."""
    a_enrollment = import_roster(institution_user, training_class, [row_of(person, phone=A_PHONE)])
    b_enrollment = import_roster(other_institution_user, b_class, [row_of(person, phone=B_PHONE)])
    return a_enrollment, b_enrollment


class TestPhoneBelongsToTheRoster:
    def test_one_person_two_enrollments_each_with_its_rosters_phone(self, enrolled_twice, person):
        a_enrollment, b_enrollment = enrolled_twice
        assert Trainee.objects.filter(id_number_digest=id_number_digest(person["id_number"])).count() == 1
        assert a_enrollment.trainee_id == b_enrollment.trainee_id
        assert (a_enrollment.phone, b_enrollment.phone) == (A_PHONE, B_PHONE)

    def test_b_class_page_shows_only_bs_phone(self, login, enrolled_twice, other_institution_user, b_class, training_class):
        page = login(other_institution_user).get(reverse("classes:class_detail", args=[b_class.pk])).content.decode()
        assert mask_phone(B_PHONE) in page and mask_phone(A_PHONE) not in page
        page = login(other_institution_user).get(reverse("classes:class_detail", args=[training_class.pk]))
        assert page.status_code == 404

    def test_b_reveal_shows_bs_full_phone_and_never_as(self, login, enrolled_twice, other_institution_user, b_class):
        _a_enrollment, b_enrollment = enrolled_twice
        page = login(other_institution_user).post(
            reverse("classes:enrollment_reveal", args=[b_class.pk, b_enrollment.pk])
        ).content.decode()
        assert B_PHONE in page and A_PHONE not in page

    def test_b_export_carries_bs_masked_phone(self, login, enrolled_twice, other_institution_user, b_class):
        response = login(other_institution_user).get(reverse("classes:roster_export", args=[b_class.pk]))
        values = [[cell.value for cell in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
        assert values[1][3] == mask_phone(B_PHONE)
        assert mask_phone(A_PHONE) not in str(values)

    def test_a_keeps_its_own_phone_after_b_imports(self, login, enrolled_twice, institution_user, training_class):
        page = login(institution_user).get(reverse("classes:class_detail", args=[training_class.pk])).content.decode()
        assert mask_phone(A_PHONE) in page and mask_phone(B_PHONE) not in page

    def test_each_countys_follow_up_call_shows_its_rosters_phone(
        self, client, enrolled_twice, institution_user, other_institution_user, county_user, other_county_user,
        training_class, b_class,
    ):
        for owner, caller, training in ((institution_user, county_user, training_class),
                                        (other_institution_user, other_county_user, b_class)):
            approve_opening(training)
            services.training_class_start(actor=owner, training_class=training)
            services.training_class_finish(actor=owner, training_class=training, assessment_end_date=date(2026, 5, 20))
            followup_services.followup_sample_draw(training_class_id=training.pk, trigger="sweep")
        a_item = FollowupItem.objects.get(sample__training_class=training_class)
        b_item = FollowupItem.objects.get(sample__training_class=b_class)

        client.force_login(county_user)
        page = client.get(reverse("followups:call", args=[a_item.pk])).content.decode()
        assert A_PHONE in page and B_PHONE not in page
        worklist = client.get(reverse("followups:worklist")).content.decode()
        assert mask_phone(A_PHONE) in worklist and mask_phone(B_PHONE) not in worklist

        client.force_login(other_county_user)
        page = client.get(reverse("followups:call", args=[b_item.pk])).content.decode()
        assert B_PHONE in page and A_PHONE not in page


class TestAnotherRegistrationsNameIsNotTold:
    def institution_answer(self, user, training_class, rows):
        """All the institution learns from a preview: status, errors, and the rows it is shown."""
        pending = preview(user, training_class, rows)
        shown = [(row.row_number, row.name, row.masked_id_number, row.masked_phone)
                 for row in services.roster_import_preview_rows(pending)]
        return pending.status, pending.row_count, pending.errors, shown

    def test_the_import_answers_the_same_with_or_without_a_registration_under_another_name(
        self, person, institution_user, other_institution_user, training_class, b_class
    ):
        other_people = make_roster_rows(random.Random(10), 2, area_code="152224")
        rows = [row_of(person, phone=B_PHONE, name="王小明"), *other_people]
        before = self.institution_answer(other_institution_user, b_class, rows)
        RosterImport.objects.all().delete()

        import_roster(institution_user, training_class, [row_of(person, phone=A_PHONE, name="王晓明")])
        after = self.institution_answer(other_institution_user, b_class, rows)
        assert after == before
        assert before[0] == RosterImport.Status.PREVIEWED and before[2] == []

    def test_a_bad_file_gets_the_same_errors_either_way(
        self, person, institution_user, other_institution_user, training_class, b_class
    ):
        rows = [row_of(person, phone="12345", name="王小明")]
        before = self.institution_answer(other_institution_user, b_class, rows)
        RosterImport.objects.all().delete()
        import_roster(institution_user, training_class, [row_of(person, phone=A_PHONE, name="王晓明")])
        assert self.institution_answer(other_institution_user, b_class, rows) == before
        assert before[2] == [{"row": 2, "column": "联系电话", "message": "手机号码格式不正确"}]

    @pytest.fixture
    def renamed(self, person, institution_user, other_institution_user, training_class, b_class):
        import_roster(institution_user, training_class, [row_of(person, phone=A_PHONE, name="王晓明")])
        return import_roster(other_institution_user, b_class, [row_of(person, phone=B_PHONE, name="王小明")])

    def test_the_institution_sees_its_rosters_name_only(self, login, renamed, other_institution_user, b_class):
        assert Trainee.objects.get(pk=renamed.trainee_id).name == "王晓明", "one person, first registration kept"
        client = login(other_institution_user)
        for url in (reverse("classes:class_detail", args=[b_class.pk]),
                    reverse("followups:class_employment", args=[b_class.pk])):
            page = client.get(url).content.decode()
            assert "王小明" in page and "王晓明" not in page and "此前登记的姓名" not in page, url
        page = client.post(reverse("classes:enrollment_reveal", args=[b_class.pk, renamed.pk])).content.decode()
        assert "王小明" in page and "王晓明" not in page
        for url in (reverse("classes:roster_export", args=[b_class.pk]),
                    reverse("followups:employment_export", args=[b_class.pk])):
            sheet = load_workbook(io.BytesIO(client.get(url).content)).active
            assert sheet.cell(row=2, column=2 if "employment" in url else 1).value == "王小明", url
            assert "王晓明" not in str([[cell.value for cell in row] for row in sheet.iter_rows()])

    def test_the_county_of_the_class_sees_both_names(self, login, renamed, other_county_user, b_class):
        page = login(other_county_user).get(reverse("classes:class_detail", args=[b_class.pk])).content.decode()
        assert "花名册姓名与该身份证号此前登记的姓名不一致（1 人）" in page
        warning = page.split('id="name-mismatches"', 1)[1].split("</table>", 1)[0]
        assert "王小明" in warning and "王晓明" in warning and renamed.trainee.masked_id_number in warning

    def test_the_county_of_the_first_roster_sees_no_warning(self, login, renamed, county_user, training_class):
        page = login(county_user).get(reverse("classes:class_detail", args=[training_class.pk])).content.decode()
        assert "王晓明" in page and "王小明" not in page and "此前登记的姓名不一致" not in page

    def test_the_employment_file_is_checked_against_the_rosters_name(
        self, renamed, other_institution_user, b_class
    ):
        headers = ["学员编号", "姓名", "身份证号", "就业去向", "就业单位", "月工资收入（元）", "技能提升情况"]
        data = roster_workbook_bytes([[renamed.pk, "王小明", "", "单位就业", "某酒店", 3000, ""]], headers=headers)
        written, errors = followup_services.employment_records_import(actor=other_institution_user, training_class=b_class, data=data)
        assert (written, errors) == (1, [])
