"""Every list as .xlsx: reopened with openpyxl and compared with the database — headers, frozen header row, types,
widths, filters honoured, scoping by role, masking and its audit, formulas neutralised, the background path."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEvent
from classes.models import TrainingClass
from classes.selectors import classes_visible_to
from conftest import enroll, make_class
from evaluations.tests.conftest import complete_followups, finished_class  # noqa: F401 (fixture)
from followups import services as followups
from reports.dashboards.services import class_figures_refresh
from reports.exports.registry import EXPORTS
from reports.models import GeneratedDocument
from reports.tasks import render_generated_document
from supervision.tests.test_demand import make_entry, make_wish
from supervision.tests.test_teachers import propose

CLASS_HEADERS = [
    "审核（备案）班期", "培训职业（工种）", "职业编码", "培训机构", "旗县市", "培训类别", "培训开始日期", "培训结束日期",
    "培训鉴定结束日期", "花名册人数", "备案人数", "培训课时", "培训地点", "状态",
]


def export(client, user, key, query="", *, status=200):
    client.force_login(user)
    response = client.get(reverse("reports:list_export", args=[key]) + (f"?{query}" if query else ""))
    assert response.status_code == status, response
    return response


def sheet_of(response):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content)).active


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def column(sheet, header: str) -> list:
    headers = [cell.value for cell in sheet[1]]
    index = headers.index(header)
    return [row[index] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.fixture
def classes_in_two_counties(institution, other_institution, occupation):
    first = make_class(institution, occupation, batch_number="XA152201-2026-101", status=TrainingClass.Status.IN_TRAINING,
                       start_date=date(2026, 3, 2))
    enroll(first, 4)
    second = make_class(institution, occupation, batch_number="XA152201-2026-102", start_date=date(2026, 6, 1))
    third = make_class(other_institution, occupation, batch_number="XA152224-2026-201", start_date=date(2026, 4, 6))
    enroll(third, 2)
    return first, second, third


class TestClassList:
    def test_the_sheet_is_the_database_with_chinese_headers_frozen_row_widths_and_real_types(
        self, client, county_user, classes_in_two_counties
    ):
        sheet = sheet_of(export(client, county_user, "classes"))
        assert [cell.value for cell in sheet[1]] == CLASS_HEADERS
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.column_dimensions["A"].width == 22 and sheet.column_dimensions["D"].width == 28
        expected = classes_visible_to(county_user).order_by("-start_date", "-id")
        assert column(sheet, "审核（备案）班期") == [item.batch_number for item in expected]
        first_row = rows_of(sheet)[0]
        second = expected[0]  # the newest class first, as on the page
        assert first_row[CLASS_HEADERS.index("培训开始日期")] == datetime(2026, 6, 1)
        assert first_row[CLASS_HEADERS.index("花名册人数")] == 0 and first_row[CLASS_HEADERS.index("备案人数")] == 40
        assert first_row[CLASS_HEADERS.index("状态")] == second.get_status_display()
        assert first_row[CLASS_HEADERS.index("培训鉴定结束日期")] is None
        start = sheet.cell(row=2, column=CLASS_HEADERS.index("培训开始日期") + 1)
        assert start.is_date and start.number_format == "yyyy-mm-dd"
        count = sheet.cell(row=3, column=CLASS_HEADERS.index("花名册人数") + 1)
        assert count.value == 4 and count.data_type == "n"

    def test_county_a_gets_none_of_county_b_and_the_league_gets_both(
        self, client, county_user, other_county_user, league_user, classes_in_two_counties
    ):
        first, second, third = classes_in_two_counties
        assert set(column(sheet_of(export(client, county_user, "classes")), "审核（备案）班期")) == {
            first.batch_number, second.batch_number}
        assert column(sheet_of(export(client, other_county_user, "classes")), "审核（备案）班期") == [third.batch_number]
        assert len(rows_of(sheet_of(export(client, league_user, "classes")))) == 3

    def test_the_page_filters_are_honoured_and_the_page_number_ignored(
        self, client, league_user, classes_in_two_counties, other_county
    ):
        first, second, third = classes_in_two_counties
        sheet = sheet_of(export(client, league_user, "classes", f"county={other_county.pk}&page=7"))
        assert column(sheet, "审核（备案）班期") == [third.batch_number]
        sheet = sheet_of(export(client, league_user, "classes", "status=in_training&start_from=2026-01-01"))
        assert column(sheet, "审核（备案）班期") == [first.batch_number]
        sheet = sheet_of(export(client, league_user, "classes", "q=-102"))
        assert column(sheet, "审核（备案）班期") == [second.batch_number]

    def test_a_filter_outside_the_scope_gives_no_rows_not_the_whole_list(
        self, client, county_user, other_county, classes_in_two_counties
    ):
        # As on the page: another county is not a valid choice, so nothing is listed.
        assert rows_of(sheet_of(export(client, county_user, "classes", f"county={other_county.pk}"))) == []

    def test_text_that_would_run_as_a_formula_is_neutralised(self, client, county_user, classes_in_two_counties):
        first = classes_in_two_counties[0]
        TrainingClass.objects.filter(pk=first.pk).update(location='=HYPERLINK("http://evil.example","点我")')
        sheet = sheet_of(export(client, county_user, "classes"))
        cells = [cell for cell in sheet["M"][1:] if cell.value and "HYPERLINK" in cell.value]
        assert len(cells) == 1
        assert cells[0].value.startswith("'=") and cells[0].data_type == "s"

    def test_an_institution_exports_its_own_classes_only(self, client, institution_user, classes_in_two_counties):
        first, second, _third = classes_in_two_counties
        sheet = sheet_of(export(client, institution_user, "classes"))
        assert set(column(sheet, "审核（备案）班期")) == {first.batch_number, second.batch_number}
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_PERSONAL_DATA).exists(), \
            "no personal data in the class list, nothing to audit"


class TestRefusals:
    @pytest.mark.parametrize("key", ["county-queue", "league-queue", "followup-worklist", "followup-calls",
                                     "followup-coverage", "training-wishes"])
    def test_an_institution_gets_404_where_its_pages_do(self, client, institution_user, key):
        export(client, institution_user, key, status=404)

    def test_each_queue_is_its_own_role_s(self, client, county_user, league_user):
        export(client, league_user, "county-queue", status=404)
        export(client, county_user, "league-queue", status=404)

    def test_an_unknown_list_is_404_and_anonymous_visitors_log_in(self, client, county_user):
        export(client, county_user, "nothing-here", status=404)
        client.logout()
        assert client.get(reverse("reports:list_export", args=["classes"])).status_code == 302


class TestEveryList:
    def test_every_registered_list_opens_with_its_headers_for_the_league(self, client, league_user, forwarded_list):
        for key, spec in EXPORTS.items():
            if key == "county-queue":
                continue
            if spec.subject is not None:  # the list of one object, without it a 404 (test_exports_opening.py)
                export(client, league_user, key, status=404)
                continue
            sheet = sheet_of(export(client, league_user, key))
            assert [cell.value for cell in sheet[1]] == [item.header for item in spec.columns_for(league_user)], key
            assert sheet.freeze_panes == "A2", key


@pytest.fixture
def forwarded_list(finished_class, institution_user, county_user):  # noqa: F811
    """A class the county verified and forwarded: in the league's queue, with its follow-ups done."""
    from evaluations import services
    from evaluations.tests.conftest import add_forms, self_assess, verify

    add_forms(finished_class, ["excellent"] * 9 + ["fair"])
    self_assess(institution_user, finished_class)
    verify(county_user, finished_class)
    complete_followups(finished_class, county_user)
    services.review_forward(actor=county_user, training_class=finished_class)
    return finished_class


class TestQueues:
    def test_the_league_queue_shows_grade_conclusion_and_counts_as_numbers(self, client, league_user, forwarded_list):
        sheet = sheet_of(export(client, league_user, "league-queue"))
        [row] = rows_of(sheet)
        headers = [cell.value for cell in sheet[1]]
        values = dict(zip(headers, row))
        assert values["审核（备案）班期"] == forwarded_list.batch_number
        assert (values["有效评价表"], values["花名册人数"], values["优"], values["一般"]) == (10, 10, 9, 1)
        assert values["结论"] == "优秀" and values["优秀"] == "是" and values["填写不一致人数"] == 0
        assert values["评价状态"] == "已上报，待盟级复核"


class TestFollowups:
    def test_the_worklist_gives_callers_the_full_phone_and_the_export_is_audited(
        self, client, county_user, other_county_user, finished_class  # noqa: F811
    ):
        sample = followups.followup_sample_draw_for(actor=county_user, training_class=finished_class)
        sheet = sheet_of(export(client, county_user, "followup-worklist"))
        phones = column(sheet, "联系电话")
        expected = [item.enrollment.phone for item in sample.items.select_related("enrollment").order_by("position")]
        assert sorted(phones) == sorted(expected) and all(len(phone) == 11 and "*" not in phone for phone in phones)
        audit = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT_PERSONAL_DATA, actor=county_user)
        assert audit.detail == f"导出电话回访工作清单（含完整身份证号、电话，{len(expected)}行）"
        assert rows_of(sheet_of(export(client, other_county_user, "followup-worklist"))) == []

    def test_the_worklist_filters_as_its_page(self, client, county_user, finished_class):  # noqa: F811
        sample = followups.followup_sample_draw_for(actor=county_user, training_class=finished_class)
        assert rows_of(sheet_of(export(client, county_user, "followup-worklist", "q=no-such-batch"))) == []
        assert len(rows_of(sheet_of(export(client, county_user, "followup-worklist", "q=2026-050")))) == 2
        overdue = len(rows_of(sheet_of(export(client, county_user, "followup-worklist", "overdue=1"))))
        assert overdue == (2 if sample.due_date < timezone.localdate() else 0)

    def test_calls_are_listed_with_masked_phones_and_times(self, client, county_user, finished_class):  # noqa: F811
        complete_followups(finished_class, county_user)
        sheet = sheet_of(export(client, county_user, "followup-calls", f"class={finished_class.pk}"))
        assert len(rows_of(sheet)) == 2 and set(column(sheet, "结果")) == {"接通完成"}
        assert all("****" in phone for phone in column(sheet, "联系电话"))
        assert all(isinstance(value, datetime) for value in column(sheet, "通话时间"))
        audit = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT_PERSONAL_DATA, actor=county_user)
        assert "脱敏" in audit.detail

    def test_coverage_per_county_as_numbers_and_shares(self, client, county_user, finished_class):  # noqa: F811
        complete_followups(finished_class, county_user)
        sheet = sheet_of(export(client, county_user, "followup-coverage", "due_from=2026-01-01&due_to=2026-12-31"))
        [row] = rows_of(sheet)
        on_time = 2 if timezone.localdate() <= finished_class.followup_sample.due_date else 0  # called today
        assert row == [finished_class.institution.county.name, 1, 1, 2, 2, on_time, 1.0, on_time / 2]
        assert sheet.cell(row=2, column=7).number_format == "0.0%"
        assert rows_of(sheet_of(export(client, county_user, "followup-coverage", "due_from=2025-01-01&due_to=2025-12-31"))) == []

    def test_employment_lists_counties_then_institutions_within_scope(
        self, client, county_user, institution, other_institution, finished_class  # noqa: F811
    ):
        class_figures_refresh()  # the overview reads the summary rows
        sheet = sheet_of(export(client, county_user, "employment"))
        names = column(sheet, "名称")
        assert names == [county_user.region.name, institution.name]
        assert other_institution.name not in names
        assert column(sheet, "农牧民结业人数")[0] == 10 and column(sheet, "农牧民评价")[0] == "差"


class TestSupervisionLists:
    def test_wishes_full_phones_for_the_county_that_tells_them_masked_for_the_league(
        self, client, county_user, league_user, league_region, county, other_county, occupation
    ):
        entry = make_entry(league_region, occupation, league_user)
        make_wish(entry, county, name="巴特尔", phone="13912345678")
        make_wish(entry, other_county, name="乌云其木格", phone="15847001234")
        sheet = sheet_of(export(client, county_user, "training-wishes"))
        assert column(sheet, "姓名") == ["巴特尔"] and column(sheet, "手机号") == ["13912345678"]
        assert isinstance(column(sheet, "登记时间")[0], datetime)
        sheet = sheet_of(export(client, league_user, "training-wishes", f"county={other_county.pk}"))
        assert column(sheet, "手机号") == ["158****1234"]
        details = list(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_PERSONAL_DATA).values_list("username", "detail"))
        assert sorted(details) == [("county", "导出培训意愿登记名单（含完整身份证号、电话，1行）"),
                                   ("league", "导出培训意愿登记名单（脱敏，1行）")]

    def test_teachers_have_their_id_numbers_masked_for_every_role(self, client, institution_user, league_user, occupation):
        teacher = propose(institution_user, [occupation])
        sheet = sheet_of(export(client, league_user, "teachers"))
        assert column(sheet, "身份证号") == [teacher.masked_id_number]
        assert teacher.id_number not in str(rows_of(sheet))

    def test_the_catalogue_keeps_money_as_a_number(self, client, institution_user, league_user, league_region, occupation):
        make_entry(league_region, occupation, league_user)
        sheet = sheet_of(export(client, institution_user, "demand-catalogue"))
        [subsidy] = column(sheet, "补贴标准（元/人）")
        assert Decimal(str(subsidy)) == occupation.subsidy_per_person
        assert sheet.cell(row=2, column=5).number_format == "#,##0.00"

    def test_attendance_shows_the_signal_column_to_bureaus_only(self, client, county_user, institution_user, occupation, institution):
        today = timezone.localdate()
        make_class(institution, occupation, batch_number="XA152201-2026-301", status=TrainingClass.Status.IN_TRAINING,
                   start_date=today, end_date=today)
        assert "待核实异常" in [cell.value for cell in sheet_of(export(client, county_user, "attendance"))[1]]
        sheet = sheet_of(export(client, institution_user, "attendance"))
        assert "待核实异常" not in [cell.value for cell in sheet[1]]
        assert column(sheet, "审核（备案）班期") == ["XA152201-2026-301"]


class TestBackground:
    @pytest.fixture(autouse=True)
    def low_threshold(self, settings, tmp_path):
        settings.EXPORT_INLINE_MAX_ROWS = 1
        settings.MEDIA_ROOT = tmp_path / "media"

    def test_a_long_list_is_written_by_the_worker_with_progress_and_downloaded_by_its_requester(
        self, client, county_user, other_county_user, classes_in_two_counties, django_capture_on_commit_callbacks
    ):
        client.force_login(county_user)
        url = reverse("reports:list_export", args=["classes"]) + "?q=XA&page=2"
        with django_capture_on_commit_callbacks() as callbacks:
            response = client.get(url)
        document = GeneratedDocument.objects.get()
        assert response.status_code == 302 and response.url == reverse("reports:document", args=[document.pk])
        assert len(callbacks) == 1, "the task is queued once, after commit"
        assert (document.kind, document.export_list, document.export_query, document.training_class) == (
            "list_export", "classes", "q=XA", None)
        page = client.get(response.url).content.decode()
        assert "列表导出（Excel）" in page and "行" in page and "培训班（按导出时的筛选条件）" in page
        assert client.get(url).url == response.url, "asked again while queued: the same document"

        assert render_generated_document(document.pk) == "done"
        state = client.get(reverse("reports:document_status", args=[document.pk])).json()
        assert (state["status"], state["pages_done"], state["pages_total"]) == ("done", 2, 2)
        download = client.get(state["download_url"])
        sheet = sheet_of(download)
        assert set(column(sheet, "审核（备案）班期")) == {"XA152201-2026-101", "XA152201-2026-102"}
        assert download["Content-Disposition"].endswith(f"{timezone.localdate():%Y%m%d}.xlsx")

        client.force_login(other_county_user)
        assert client.get(reverse("reports:document", args=[document.pk])).status_code == 404
        assert client.get(state["download_url"]).status_code == 404

    def test_a_background_export_with_personal_data_is_audited_when_downloaded(
        self, client, county_user, finished_class, django_capture_on_commit_callbacks  # noqa: F811
    ):
        followups.followup_sample_draw_for(actor=county_user, training_class=finished_class)
        client.force_login(county_user)
        with django_capture_on_commit_callbacks():
            client.get(reverse("reports:list_export", args=["followup-worklist"]))
        document = GeneratedDocument.objects.get()
        assert document.has_full_numbers
        render_generated_document(document.pk)
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_PERSONAL_DATA).exists()
        sheet = sheet_of(client.get(reverse("reports:document_download", args=[document.pk])))
        assert all("*" not in phone for phone in column(sheet, "联系电话"))
        audit = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT_PERSONAL_DATA)
        assert audit.detail == "导出电话回访工作清单（含完整身份证号、电话，2行）"

    def test_the_worker_reads_through_the_requester_s_scope_at_render_time(
        self, client, county_user, league_region, classes_in_two_counties, django_capture_on_commit_callbacks
    ):
        client.force_login(county_user)
        with django_capture_on_commit_callbacks():
            client.get(reverse("reports:list_export", args=["county-queue"]))
            client.get(reverse("reports:list_export", args=["classes"]))
        # Nothing awaits the county: its queue is short enough for the request, the class list is not.
        document = GeneratedDocument.objects.get()
        county_user.role, county_user.region = "league", league_region  # moved to the league before the worker ran
        county_user.save()
        assert render_generated_document(document.pk) == "done"
        assert len(rows_of(sheet_of(client.get(reverse("reports:document_download", args=[document.pk]))))) == 3

        queued = GeneratedDocument.objects.create(kind="list_export", export_list="league-queue", requested_by=county_user)
        county_user.is_active = False
        county_user.save()
        assert render_generated_document(queued.pk) == "failed"
        queued.refresh_from_db()
        assert queued.error_message == "申请人已无权查看该列表，文件未生成。" and not queued.file


class TestButtons:
    @pytest.mark.parametrize("page, key, user", [
        ("classes:class_list", "classes", "county_user"),
        ("evaluations:county_queue", "county-queue", "county_user"),
        ("evaluations:league_queue", "league-queue", "league_user"),
        ("evaluations:commendations", "commendations", "league_user"),
        ("followups:worklist", "followup-worklist", "county_user"),
        ("followups:coverage", "followup-coverage", "county_user"),
        ("followups:employment_overview", "employment", "county_user"),
        ("supervision:catalogue_list", "demand-catalogue", "county_user"),
        ("supervision:wish_list", "training-wishes", "county_user"),
        ("supervision:teacher_list", "teachers", "county_user"),
        ("supervision:attendance_classes", "attendance", "county_user"),
    ])
    def test_each_list_page_exports_with_its_current_filters(self, client, request, page, key, user):
        client.force_login(request.getfixturevalue(user))
        html = client.get(reverse(page) + "?q=abc&page=1").content.decode()
        assert f'href="{reverse("reports:list_export", args=[key])}?q=abc&amp;page=1"' in html
        assert html.count("导出 Excel") == 1

    def test_a_class_s_follow_up_page_exports_its_calls(self, client, county_user, finished_class):  # noqa: F811
        followups.followup_sample_draw_for(actor=county_user, training_class=finished_class)
        client.force_login(county_user)
        html = client.get(reverse("followups:class_followups", args=[finished_class.pk])).content.decode()
        assert f'href="{reverse("reports:list_export", args=["followup-calls"])}?class={finished_class.pk}"' in html


class TestSignals:
    """The fraud-signal list (policy §8.4) as the page filters it, for county and league staff only."""

    @pytest.fixture
    def signals(self, finished_class, other_class, county_user):  # noqa: F811
        from .signals_fixture import DISMISSED, add_signal

        roster = list(finished_class.enrollments.order_by("pk"))
        return [
            add_signal(finished_class, "shared_phone", enrollments=roster[:3]),
            add_signal(finished_class, "teacher_conflict"),
            add_signal(finished_class, "attendance_shortfall", enrollments=roster[:1], status=DISMISSED,
                       dismissed_by=county_user),
            add_signal(other_class, "shared_phone", enrollments=list(other_class.enrollments.all())),
        ]

    def test_the_county_exports_its_signals_as_filtered(self, client, county_user, signals):
        sheet = sheet_of(export(client, county_user, "signals"))  # the page opens on 待核实
        assert sorted(zip(column(sheet, "疑点类型"), column(sheet, "审核（备案）班期"), column(sheet, "状态"))) == [
            ("同一教师同时段在两个培训班授课", "XA152201-2026-050", "待核实"),
            ("多名学员共用一个手机号", "XA152201-2026-050", "待核实"),
        ]
        assert any(text.startswith("手机号 138****0000 被 3 名学员共用") for text in column(sheet, "证据"))
        sheet = sheet_of(export(client, county_user, "signals", "status=&kind=attendance_shortfall"))
        assert rows_of(sheet)[0][:3] == ["已核销", "结业学员出勤低于80%", "XA152201-2026-050"]
        assert column(sheet, "核销理由") == ["已电话核实"] and isinstance(column(sheet, "核销时间")[0], datetime)

    def test_the_league_sees_both_counties_and_institutions_get_404(self, client, league_user, institution_user, signals):
        assert sorted(column(sheet_of(export(client, league_user, "signals", "kind=shared_phone")), "审核（备案）班期")) == [
            "XA152201-2026-050", "XA152224-2026-001"]
        export(client, institution_user, "signals", status=404)
