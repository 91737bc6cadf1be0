"""Policy §8.2 (S2 三: 数据共享比对): league staff import the lists other departments hand over; a new list of a kind
replaces the current one; lists are personal data — masked, revealed only on an audited request, read by league
staff only, matched for the county on its own classes."""

import random
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from classes.demo_data import make_name, make_resident_id
from classes.masking import mask_id_number
from conftest import enroll, make_user
from supervision import department_lists
from supervision.department_list_selectors import department_list_entries_visible_to, department_lists_visible_to
from supervision.models import DepartmentList, DepartmentListEntry, DepartmentListKind
from supervision.opening_selectors import trainee_checks
from xingan_training.errors import ServiceError

from .opening_helpers import import_list, list_workbook

RNG = random.Random(31)
PEOPLE = [(make_name(RNG), make_resident_id(RNG, area_code="152201")) for _ in range(5)]


def upload_data(people=PEOPLE, **changes):
    data = {"kind": DepartmentListKind.objects.get(code="college_graduates").pk, "source_department": "兴安盟教育局",
            "list_date": "2026-03-01", "file": SimpleUploadedFile("毕业生名单.xlsx", list_workbook(people))}
    data.update(changes)
    return data


@pytest.fixture
def graduates(league_user):
    return import_list(league_user, "college_graduates", PEOPLE)


class TestImport:
    def test_league_staff_import_a_list_with_its_source_and_date(self, login, league_user):
        response = login(league_user).post(reverse("supervision:department_list_import"), upload_data(), follow=True)
        department_list = DepartmentList.objects.get()
        assert (department_list.kind.name, department_list.source_department, department_list.list_date) == (
            "毕业年度高校毕业生", "兴安盟教育局", date(2026, 3, 1))
        assert department_list.row_count == 5 and department_list.is_current and department_list.imported_by == league_user
        assert set(department_list.entries.values_list("id_number", flat=True)) == {number for _name, number in PEOPLE}
        page = response.content.decode()
        assert "已导入毕业年度高校毕业生名单 5 人" in page and mask_id_number(PEOPLE[0][1]) in page and PEOPLE[0][1] not in page
        assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT_ROSTER, actor=league_user,
                                         detail__contains="毕业年度高校毕业生").exists()

    def test_one_bad_row_imports_nothing_and_every_row_error_is_shown_in_chinese(self, login, league_user):
        people = list(PEOPLE) + [("王五", "152201199001011235"), ("\u200b", PEOPLE[1][1]), ("赵六", 152201199001011234)]
        response = login(league_user).post(reverse("supervision:department_list_import"), upload_data(people))
        page = response.content.decode()
        assert response.status_code == 400 and not DepartmentList.objects.exists() and not DepartmentListEntry.objects.exists()
        for message in ("身份证号校验位错误", "姓名不能为空", "与第 3 行身份证号重复", "身份证号须以文本格式填写", "共 4 处"):
            assert message in page, message

    @pytest.mark.parametrize(("data", "message"), [
        (b"not a workbook", "文件不是 Excel 工作簿"),
        (b"PK\x03\x04garbage", "文件已损坏"),
    ])
    def test_a_file_that_is_not_a_workbook_is_refused(self, league_user, data, message):
        with pytest.raises(ServiceError, match=message):
            department_lists.department_list_import(
                actor=league_user, kind=DepartmentListKind.objects.first(), source_department="教育局",
                list_date=date(2026, 3, 1), file_name="x.xlsx", data=data)

    def test_a_workbook_without_the_columns_is_refused(self, league_user):
        from classes.demo_data import roster_workbook_bytes

        with pytest.raises(ServiceError, match="缺少列：身份证号"):
            department_lists.department_list_import(
                actor=league_user, kind=DepartmentListKind.objects.first(), source_department="教育局",
                list_date=date(2026, 3, 1), file_name="x.xlsx", data=roster_workbook_bytes([["张三"]], headers=["姓名"]))

    def test_the_row_limit_and_size_limit_hold(self, settings, league_user):
        settings.DEPARTMENT_LIST_MAX_ROWS = 3
        with pytest.raises(ServiceError):
            import_list(league_user, "college_graduates", PEOPLE)
        settings.DEPARTMENT_LIST_MAX_ROWS = 20000
        settings.DEPARTMENT_LIST_UPLOAD_MAX_BYTES = 1024
        with pytest.raises(ServiceError, match="文件过大"):
            import_list(league_user, "college_graduates", PEOPLE)
        assert not DepartmentList.objects.exists()

    @pytest.mark.parametrize("list_date", [date(1999, 12, 31), None])
    def test_a_list_dated_in_the_future_or_long_ago_is_refused(self, league_user, list_date):
        with pytest.raises(ServiceError, match="名单日期应在"):
            import_list(league_user, "college_graduates", PEOPLE, list_date=list_date or timezone.localdate() + timedelta(days=1))

    def test_the_source_department_is_required(self, league_user):
        with pytest.raises(ServiceError, match="请填写提供名单的部门"):
            import_list(league_user, "college_graduates", PEOPLE, source="  ")

    @pytest.mark.parametrize("role_fixture", ["county_user", "institution_user", "superuser"])
    def test_only_league_staff_import(self, request, login, reference_data, role_fixture):
        user = request.getfixturevalue(role_fixture)
        with pytest.raises(ServiceError, match="只有盟级人社部门可以导入部门名单"):
            import_list(user, "college_graduates", PEOPLE)
        assert login(user).post(reverse("supervision:department_list_import"), upload_data()).status_code == 404
        assert not DepartmentList.objects.exists()

    def test_bad_form_input_is_a_chinese_message(self, login, league_user):
        client = login(league_user)
        response = client.post(reverse("supervision:department_list_import"), upload_data(kind="99999", list_date="2026-13-01"))
        page = response.content.decode()
        assert response.status_code == 400 and "所选内容不在可选范围内" in page and "请输入有效的日期" in page


class TestReplacement:
    def test_a_new_list_replaces_the_current_one_keeping_its_metadata(self, league_user, graduates):
        newer = import_list(league_user, "college_graduates", PEOPLE[:2], list_date=date(2026, 6, 1))
        graduates.refresh_from_db()
        assert not graduates.is_current and graduates.replaced_by == newer and graduates.replaced_at is not None
        assert graduates.row_count == 5 and graduates.source_department == "兴安盟教育局"
        assert not graduates.entries.exists(), "a superseded list keeps no personal data"
        assert newer.is_current and newer.entries.count() == 2

    def test_lists_of_another_kind_are_untouched(self, league_user, graduates):
        import_list(league_user, "registered_unemployed", PEOPLE[:1], source="乌兰浩特市就业服务中心")
        graduates.refresh_from_db()
        assert graduates.is_current and graduates.entries.count() == 5

    def test_a_replaced_list_page_says_so(self, login, league_user, graduates):
        import_list(league_user, "college_graduates", PEOPLE[:2])
        page = login(league_user).get(reverse("supervision:department_list_detail", args=[graduates.pk])).content.decode()
        assert "已被替换" in page and "人员明细已删除" in page


class TestVisibility:
    @pytest.mark.parametrize("role_fixture", ["institution_user", "other_institution_user", "county_user", "other_county_user"])
    def test_only_league_staff_read_the_lists(self, request, login, graduates, role_fixture):
        user = request.getfixturevalue(role_fixture)
        client = login(user)
        entry = graduates.entries.first()
        for url in (reverse("supervision:department_list_list"), reverse("supervision:department_list_import"),
                    reverse("supervision:department_list_template"),
                    reverse("supervision:department_list_detail", args=[graduates.pk])):
            assert client.get(url).status_code == 404, url
        assert client.post(reverse("supervision:department_list_entry_reveal", args=[graduates.pk, entry.pk])).status_code == 404
        assert not department_lists_visible_to(user).exists() and not department_list_entries_visible_to(user).exists()

    def test_another_leagues_staff_see_nothing(self, login, graduates, reference_data):
        from classes.models import Region

        other_league = Region.objects.create(code="150500", name="通辽市", level=Region.Level.LEAGUE,
                                             parent=Region.objects.get(code="150000"))
        outsider = make_user("tongliao", role=Role.LEAGUE, region=other_league)
        assert login(outsider).get(reverse("supervision:department_list_detail", args=[graduates.pk])).status_code == 404
        assert not department_lists_visible_to(outsider).exists()

    def test_the_list_is_masked_paginated_and_searched_by_name_or_full_number(self, login, league_user):
        rng = random.Random(5)
        many = [(make_name(rng), make_resident_id(rng)) for _ in range(60)]
        department_list = import_list(league_user, "registered_unemployed", many)
        client = login(league_user)
        url = reverse("supervision:department_list_detail", args=[department_list.pk])
        page = client.get(url).content.decode()
        assert "第 1 / 2 页，共 60 条" in page and many[0][1] not in page and mask_id_number(many[0][1]) in page
        found = client.get(url, {"q": many[3][1]}).content.decode()
        assert many[3][0] in found and many[4][0] not in found
        partial = client.get(url, {"q": many[3][1][:10]}).content.decode()
        assert "须输入完整的18位号码" in partial, "a part of a number finds nothing: the list cannot be enumerated"

    def test_a_full_number_is_shown_only_on_an_audited_reveal(self, login, league_user, graduates):
        entry = graduates.entries.first()
        url = reverse("supervision:department_list_entry_reveal", args=[graduates.pk, entry.pk])
        assert login(league_user).get(url).status_code == 405
        page = login(league_user).post(url).content.decode()
        assert entry.id_number in page
        event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW_PERSONAL_DATA)
        assert event.actor == league_user and event.object_id == str(entry.pk) and "毕业年度高校毕业生" in event.detail

    def test_the_overview_is_paginated_and_filtered(self, login, league_user):
        for index in range(27):
            import_list(league_user, "college_graduates", PEOPLE[:1], list_date=date(2025, 1, 1) + timedelta(days=index))
        client = login(league_user)
        page = client.get(reverse("supervision:department_list_list")).content.decode()
        assert "第 1 / 2 页，共 27 条" in page and page.count("现行名单") >= 1
        current = client.get(reverse("supervision:department_list_list"), {"current": "1"}).content.decode()
        assert "共 27 条" not in current and "已被替换" not in current.split("<tbody>")[1]


class TestMatching:
    def test_the_county_sees_matches_of_its_classes_only_through_the_review(self, league_user, training_class):
        enrollment = enroll(training_class, 1)[0]
        import_list(league_user, "registered_unemployed", [(enrollment.trainee.name, enrollment.trainee.id_number)],
                    source="乌兰浩特市就业服务中心", list_date=date(2026, 2, 1))
        check = trainee_checks(training_class, [enrollment])[0]
        assert [(match.kind, match.source_department, match.list_date) for match in check.list_entries] == [
            ("城镇登记失业人员", "乌兰浩特市就业服务中心", date(2026, 2, 1))]
        assert check.list_match == "other_category", "listed as unemployed, declared a rural migrant"

    def test_a_replaced_list_no_longer_matches(self, league_user, training_class):
        enrollment = enroll(training_class, 1)[0]
        import_list(league_user, "rural_migrants", [(enrollment.trainee.name, enrollment.trainee.id_number)])
        assert trainee_checks(training_class, [enrollment])[0].list_match == "matched"
        import_list(league_user, "rural_migrants", PEOPLE[:1])
        assert trainee_checks(training_class, [enrollment])[0].list_match == "unmatched"


def test_the_opening_queue_offers_the_department_lists_only_to_those_who_may_read_them(login, county_user, league_user):
    link = f'href="{reverse("supervision:department_list_list")}">部门名单</a>'
    assert link not in login(county_user).get(reverse("supervision:opening_list")).content.decode()
    assert link in login(league_user).get(reverse("supervision:opening_list")).content.decode()
    assert login(county_user).get(reverse("supervision:department_list_list")).status_code == 404
