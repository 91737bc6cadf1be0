"""The last three lists as .xlsx: the league's teacher review queue, a class's 备案变更 requests and one department
list's people. Reopened with openpyxl and compared with the database; ID numbers stay masked as on the page; the
export of people is audited; another county's class, an unknown or unreadable list, and a role the page refuses
get 404."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from classes.masking import mask_id_number
from supervision import opening
from supervision.tests.test_department_lists import PEOPLE, graduates  # noqa: F401
from supervision.tests.test_opening import (  # noqa: F401 (fixtures)
    approved,
    media_root,
    ready_class,
    submitted,
    teacher,
    trainees,
)
from supervision.tests.test_teachers import ID_NUMBERS, other_proposal, proposed  # noqa: F401

from .test_exports import column, export, rows_of, sheet_of


class TestTeacherQueue:
    def test_the_league_exports_the_waiting_proposals_oldest_first_masked(self, client, league_user, proposed,
                                                                         other_proposal):
        sheet = sheet_of(export(client, league_user, "teacher-queue"))
        assert column(sheet, "姓名") == ["刘建国", "其木格"]
        assert column(sheet, "身份证号") == [mask_id_number(ID_NUMBERS[0]), mask_id_number(ID_NUMBERS[2])]
        assert ID_NUMBERS[0] not in str(rows_of(sheet))
        assert column(sheet, "推荐机构") == [proposed.proposed_by_institution.name, other_proposal.proposed_by_institution.name]
        event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT_PERSONAL_DATA, actor=league_user)
        assert event.detail == "导出待确认的教师推荐（脱敏，2行）"

    def test_a_confirmed_teacher_leaves_the_queue(self, client, league_user, proposed, other_proposal):
        from supervision import teachers

        teachers.teacher_confirm(actor=league_user, teacher=proposed)
        assert column(sheet_of(export(client, league_user, "teacher-queue")), "姓名") == ["其木格"]

    def test_only_league_staff_review(self, client, county_user, institution_user, proposed):
        export(client, county_user, "teacher-queue", status=404)
        export(client, institution_user, "teacher-queue", status=404)

    def test_the_queue_page_has_its_button(self, client, league_user, proposed):
        client.force_login(league_user)
        html = client.get(reverse("supervision:teacher_queue")).content.decode()
        assert f'href="{reverse("reports:list_export", args=["teacher-queue"])}">导出 Excel</a>' in html


@pytest.fixture
def changes(institution_user, county_user, approved, trainees):
    refused = opening.change_request_submit(actor=institution_user, training_class=approved, reason="扩招",
                                            changes={"registered_headcount": 45})
    opening.change_request_refuse(actor=county_user, change_request=refused, reason="场地容纳不下")
    pending = opening.change_request_submit(
        actor=institution_user, training_class=approved, reason="场地检修，顺延一周", removed_enrollments=[trainees[0]],
        changes={"start_date": approved.start_date + timedelta(days=7), "location": "新实训楼"},
    )
    return refused, pending


class TestChangeRequests:
    def test_the_institution_and_its_county_export_the_class_requests_newest_first(
        self, client, institution_user, county_user, approved, trainees, changes
    ):
        refused, pending = changes
        for user in (institution_user, county_user):
            sheet = sheet_of(export(client, user, "change-requests", f"class={approved.pk}"))
            assert column(sheet, "状态") == ["待审核", "不予核准"]
            assert column(sheet, "审核（备案）班期") == [approved.batch_number] * 2
            assert column(sheet, "变更理由") == ["场地检修，顺延一周", "扩招"]
            assert column(sheet, "不予核准原因") == [None, "场地容纳不下"]
            assert column(sheet, "审核人") == [None, county_user.display_name]
        new_start = approved.start_date + timedelta(days=7)
        assert column(sheet, "备案信息变更")[0] == (
            f"培训开始日期：{approved.start_date:%Y-%m-%d} → {new_start:%Y-%m-%d}；培训地点：培训基地 → 新实训楼")
        assert column(sheet, "备案信息变更")[1] == "备案人数：40 → 45"
        removed = column(sheet, "移出学员")[0]
        assert trainees[0].roster_name in removed and trainees[0].trainee.id_number not in removed

    def test_another_county_or_a_missing_class_is_404(self, client, other_county_user, other_institution_user,
                                                      county_user, approved, changes):
        export(client, other_county_user, "change-requests", f"class={approved.pk}", status=404)
        export(client, other_institution_user, "change-requests", f"class={approved.pk}", status=404)
        export(client, county_user, "change-requests", status=404)
        export(client, county_user, "change-requests", "class=abc", status=404)
        export(client, county_user, "change-requests", "class=99999999", status=404)

    def test_the_class_page_has_its_button(self, client, institution_user, approved, changes):
        client.force_login(institution_user)
        html = client.get(reverse("supervision:change_list", args=[approved.pk])).content.decode()
        href = f'{reverse("reports:list_export", args=["change-requests"])}?class={approved.pk}'
        assert f'href="{href}">导出 Excel</a>' in html


class TestDepartmentListEntries:
    def test_the_league_exports_the_people_masked_and_audited(self, client, league_user, graduates):
        sheet = sheet_of(export(client, league_user, "department-list-entries", f"list={graduates.pk}"))
        assert column(sheet, "行号") == list(graduates.entries.order_by("row_number").values_list("row_number", flat=True))
        assert column(sheet, "姓名") == [name for name, _number in PEOPLE]
        assert column(sheet, "身份证号") == [mask_id_number(number) for _name, number in PEOPLE]
        assert not any(number in str(rows_of(sheet)) for _name, number in PEOPLE)
        event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT_PERSONAL_DATA, actor=league_user)
        assert event.detail == f"导出部门名单人员（脱敏，{len(PEOPLE)}行）"

    def test_the_search_is_honoured(self, client, league_user, graduates):
        name, number = PEOPLE[2]
        sheet = sheet_of(export(client, league_user, "department-list-entries", f"list={graduates.pk}&q={number}"))
        assert column(sheet, "姓名") == [name]
        partial = number[:10]
        sheet = sheet_of(export(client, league_user, "department-list-entries", f"list={graduates.pk}&q={partial}"))
        assert rows_of(sheet) == [], "a part of an ID number finds nobody, as on the page"

    def test_county_staff_and_unknown_lists_get_404(self, client, county_user, league_user, graduates):
        export(client, county_user, "department-list-entries", f"list={graduates.pk}", status=404)
        export(client, league_user, "department-list-entries", f"list={graduates.pk + 1000}", status=404)
        export(client, league_user, "department-list-entries", status=404)
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_PERSONAL_DATA).exists()

    def test_the_list_page_has_its_button_with_the_search(self, client, league_user, graduates):
        client.force_login(league_user)
        html = client.get(reverse("supervision:department_list_detail", args=[graduates.pk]) + "?q=" + PEOPLE[0][0]).content.decode()
        assert f'{reverse("reports:list_export", args=["department-list-entries"])}?list={graduates.pk}&amp;q=' in html


def test_a_long_list_of_people_goes_to_the_worker_which_checks_the_list_again(
    client, settings, tmp_path, league_user, graduates, django_capture_on_commit_callbacks
):
    """Above the inline threshold the worker writes the file; it finds the list through the requester's scope
    again, so a list gone since the request is not written."""
    from reports.models import GeneratedDocument
    from reports.services import LIST_NO_LONGER_VISIBLE
    from reports.tasks import render_generated_document

    settings.EXPORT_INLINE_MAX_ROWS = 1
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(league_user)
    with django_capture_on_commit_callbacks():
        response = client.get(reverse("reports:list_export", args=["department-list-entries"]) + f"?list={graduates.pk}")
    document = GeneratedDocument.objects.get()
    assert response.status_code == 302 and document.export_query == f"list={graduates.pk}"
    assert render_generated_document(document.pk) == "done"
    sheet = sheet_of(client.get(client.get(reverse("reports:document_status", args=[document.pk])).json()["download_url"]))
    assert column(sheet, "姓名") == [name for name, _number in PEOPLE]

    with django_capture_on_commit_callbacks():
        client.get(reverse("reports:list_export", args=["department-list-entries"]) + f"?list={graduates.pk}")
    again = GeneratedDocument.objects.latest("pk")
    assert again.pk != document.pk
    type(graduates).objects.filter(pk=graduates.pk).delete()
    assert render_generated_document(again.pk) == "failed"
    again.refresh_from_db()
    assert again.error_message == LIST_NO_LONGER_VISIBLE


class TestInstitutions:
    def test_each_county_exports_its_institutions_with_their_class_counts(
        self, client, county_user, league_user, institution, other_institution, occupation
    ):
        from conftest import make_class

        make_class(institution, occupation, batch_number="XA152201-2026-901")
        make_class(institution, occupation, batch_number="XA152201-2026-902")
        sheet = sheet_of(export(client, county_user, "institutions"))
        assert column(sheet, "机构名称") == [institution.name] and column(sheet, "培训班") == [2]
        sheet = sheet_of(export(client, league_user, "institutions"))
        assert dict(zip(column(sheet, "机构名称"), column(sheet, "培训班"))) == {institution.name: 2, other_institution.name: 0}
        sheet = sheet_of(export(client, league_user, "institutions", f"q={other_institution.name[:2]}"))
        assert column(sheet, "机构名称") == [other_institution.name]

    def test_the_list_page_has_its_button_with_the_search(self, client, league_user, institution):
        client.force_login(league_user)
        html = client.get(reverse("classes:institution_list") + "?q=测试").content.decode()
        assert f'href="{reverse("reports:list_export", args=["institutions"])}?q=%E6%B5%8B%E8%AF%95">导出 Excel</a>' in html
