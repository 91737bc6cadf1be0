"""The oversight lists as .xlsx (rectification ledger, opening reviews, inspections, inspection coverage, red/black
list decisions): reopened with openpyxl and compared with the database — filters honoured, another county's rows
absent, dates as dates, formulas neutralised, and whoever the list page refuses gets 404."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from classes.models import TrainingClass
from conftest import make_class
from supervision.models import RectificationItem
from supervision.rectification_selectors import rectification_item_list_for
from supervision.tests.test_inspections import (  # noqa: F401 (fixtures)
    other_planned,
    other_running_class,
    planned,
    running_class,
    third_party,
)
from supervision.tests.test_department_lists import PEOPLE, graduates  # noqa: F401
from supervision.tests.test_performance import YEAR, active_class, decide, evaluate, evaluation, taught  # noqa: F401
from supervision.tests.test_rectification import in_days, raise_item

from .test_exports import column, export, rows_of, sheet_of

TODAY = timezone.localdate()
EVIL = '=HYPERLINK("http://evil.example","点我")'


def midnight(day) -> datetime:
    return datetime(day.year, day.month, day.day)


@pytest.fixture
def ledger(county_user, other_county_user, institution, other_institution):
    overdue = raise_item(county_user, institution, problem=EVIL, found_on=in_days(-40))
    RectificationItem.objects.filter(pk=overdue.pk).update(deadline=in_days(-3))
    current = raise_item(county_user, institution, problem="教学日志缺失", found_on=in_days(-10))
    other = raise_item(other_county_user, other_institution, problem="其他旗县的问题", found_on=in_days(-5))
    return overdue, current, other


class TestRectificationLedger:
    def test_the_county_exports_its_own_items_as_the_page_orders_them(self, client, county_user, ledger):
        sheet = sheet_of(export(client, county_user, "rectifications"))
        expected = list(rectification_item_list_for(county_user, today=TODAY))
        assert [cell.value for cell in sheet[1]][:4] == ["状态", "整改期限", "逾期天数", "培训机构"]
        assert sheet.freeze_panes == "A2"
        assert column(sheet, "整改期限") == [midnight(item.deadline) for item in expected]
        assert "其他旗县的问题" not in column(sheet, "存在问题")
        assert column(sheet, "逾期天数") == [3, None]
        assert column(sheet, "存在问题")[0] == "'" + EVIL  # never a formula
        assert column(sheet, "责任人") == ["王建华", "王建华"]

    def test_filters_are_honoured(self, client, county_user, league_user, ledger, other_county):
        sheet = sheet_of(export(client, county_user, "rectifications", "overdue=overdue"))
        assert column(sheet, "存在问题") == ["'" + EVIL]
        sheet = sheet_of(export(client, league_user, "rectifications", f"county={other_county.pk}"))
        assert column(sheet, "存在问题") == ["其他旗县的问题"] and column(sheet, "旗县市") == [other_county.name]

    def test_an_institution_exports_only_its_own_items(self, client, other_institution_user, ledger):
        assert column(sheet_of(export(client, other_institution_user, "rectifications")), "存在问题") == ["其他旗县的问题"]


@pytest.fixture
def draft_classes(institution, other_institution, occupation):
    return (
        make_class(institution, occupation, batch_number="XA152201-2026-301", status=TrainingClass.Status.DRAFT),
        make_class(other_institution, occupation, batch_number="XA152224-2026-301", status=TrainingClass.Status.DRAFT),
    )


class TestOpeningReviews:
    def test_the_county_exports_its_classes_with_their_opening_state(self, client, county_user, draft_classes):
        sheet = sheet_of(export(client, county_user, "opening-reviews", "state=not_submitted"))
        assert column(sheet, "审核（备案）班期") == ["XA152201-2026-301"]
        assert column(sheet, "开班审核") == ["未提交开班审核"]
        assert column(sheet, "培训开始日期") == [midnight(draft_classes[0].start_date)]
        assert column(sheet, "备案人数") == [draft_classes[0].registered_headcount]

    def test_the_search_is_honoured(self, client, league_user, draft_classes):
        sheet = sheet_of(export(client, league_user, "opening-reviews", "q=XA152224"))
        assert column(sheet, "审核（备案）班期") == ["XA152224-2026-301"]


class TestInspections:
    def test_the_county_exports_its_inspections_with_their_inspectors(self, client, county_user, planned, other_planned):
        sheet = sheet_of(export(client, county_user, "inspections"))
        assert rows_of(sheet) == [[
            "XA152201-2026-101", planned.training_class.institution.name, planned.training_class.institution.county.name,
            planned.training_class.occupation.name, midnight(TODAY),
            "、".join(person.display_name for person in planned.inspectors.all()), "待检查", None,
        ]]

    def test_the_status_filter_and_a_third_party_scope(self, client, league_user, third_party, planned, other_planned):
        assert len(rows_of(sheet_of(export(client, league_user, "inspections")))) == 2
        assert rows_of(sheet_of(export(client, league_user, "inspections", "status=recorded"))) == []
        assert column(sheet_of(export(client, third_party, "inspections")), "审核（备案）班期") == ["XA152201-2026-101"]

    def test_an_institution_exports_nothing(self, client, institution_user, planned):
        assert rows_of(sheet_of(export(client, institution_user, "inspections"))) == []


class TestInspectionCoverage:
    def test_the_coverage_table_as_the_page_shows_it(self, client, league_user, county, other_county, planned,
                                                     other_running_class):
        sheet = sheet_of(export(client, league_user, "inspection-coverage"))
        rows = {row[0]: row for row in rows_of(sheet)}
        assert rows[county.name][1:4] == [TODAY.year, 1, 0] and rows[other_county.name][2:4] == [1, 0]
        assert rows[county.name][4] == 0 and sheet.cell(2, 5).number_format == "0.0%"
        sheet = sheet_of(export(client, league_user, "inspection-coverage", f"county={other_county.pk}"))
        assert column(sheet, "旗县市") == [other_county.name]

    def test_the_county_sees_its_own_row_and_others_get_404(self, client, county_user, county, institution_user,
                                                           third_party, planned):
        assert column(sheet_of(export(client, county_user, "inspection-coverage")), "旗县市") == [county.name]
        export(client, institution_user, "inspection-coverage", status=404)
        export(client, third_party, "inspection-coverage", status=404)


class TestListDecisions:
    def test_the_league_exports_its_decisions_and_filters(self, client, league_user, evaluation):
        decision = decide(league_user, evaluation, "black", reason="=1+1 虚报培训人数")
        sheet = sheet_of(export(client, league_user, "list-decisions"))
        assert rows_of(sheet) == [[
            evaluation.year, evaluation.institution.name, evaluation.institution.county.name, "黑名单", "有效",
            "'=1+1 虚报培训人数", midnight(decision.decided_on), "未公布", league_user.display_name, None,
        ]]
        assert rows_of(sheet_of(export(client, league_user, "list-decisions", "listing=red"))) == []

    def test_county_and_institution_staff_get_404(self, client, county_user, institution_user, evaluation):
        export(client, county_user, "list-decisions", status=404)
        export(client, institution_user, "list-decisions", status=404)


@pytest.mark.parametrize("page, key", [
    ("supervision:rectification_list", "rectifications"), ("supervision:opening_list", "opening-reviews"),
    ("supervision:inspection_list", "inspections"), ("supervision:inspection_coverage", "inspection-coverage"),
    ("supervision:decision_list", "list-decisions"), ("supervision:performance_list", "institution-performance"),
    ("supervision:department_list_list", "department-lists"), ("supervision:teacher_performance", "teacher-performance"),
])
def test_each_list_page_has_its_export_button_with_its_filters(client, league_user, page, key):
    client.force_login(league_user)
    html = client.get(reverse(page) + "?q=x").content.decode()
    assert f'href="{reverse("reports:list_export", args=[key])}?q=x">导出 Excel</a>' in html


class TestInstitutionPerformance:
    def test_the_league_exports_each_institution_with_its_evidence_and_decision(
        self, client, league_user, institution, other_institution, evaluation, other_county
    ):
        decide(league_user, evaluation, "red", publish=True)
        year = evaluation.year
        sheet = sheet_of(export(client, league_user, "institution-performance", f"year={year}"))
        rows = {row[1]: row for row in rows_of(sheet)}
        assert set(rows) == {institution.name, other_institution.name}
        mine = dict(zip([cell.value for cell in sheet[1]], rows[institution.name]))
        assert mine["评估年度"] == year and mine["旗县市"] == institution.county.name
        assert mine["开班数"] == 1 and mine["最近开班"] == datetime(year, 12, 1)
        assert mine["评估日期"] == midnight(evaluation.evaluated_on) and mine["认定决定"] == "红名单（已公布）"
        assert rows[other_institution.name][-1] is None  # neither evaluated nor decided
        sheet = sheet_of(export(client, league_user, "institution-performance", f"year={year}&county={other_county.pk}"))
        assert column(sheet, "培训机构") == [other_institution.name]

    def test_county_and_institution_staff_get_404(self, client, county_user, institution_user):
        export(client, county_user, "institution-performance", status=404)
        export(client, institution_user, "institution-performance", status=404)


class TestDepartmentLists:
    def test_the_league_exports_the_lists_without_their_people(self, client, league_user, graduates):
        sheet = sheet_of(export(client, league_user, "department-lists", "current=1"))
        assert rows_of(sheet)[0][:4] == [graduates.kind.name, "兴安盟教育局", datetime(2026, 3, 1), len(PEOPLE)]
        assert column(sheet, "状态") == ["现行名单"]
        assert rows_of(sheet_of(export(client, league_user, "department-lists", "current=0"))) == []
        assert not any(value in str(rows_of(sheet)) for person in PEOPLE for value in person)

    def test_county_staff_get_404(self, client, county_user, graduates):
        export(client, county_user, "department-lists", status=404)


class TestTeacherPerformance:
    """The hand-counted teachers of supervision/tests/test_performance.py (fixture ``taught``), as the page shows them."""

    def test_the_league_exports_each_teacher_in_the_pages_order_with_the_same_figures(self, client, league_user, taught):
        sheet = sheet_of(export(client, league_user, "teacher-performance", f"year={YEAR}"))
        assert column(sheet, "教师") == ["白老师", "乌老师"]  # 4/9 before 3/7, as ranked on the page
        assert column(sheet, "年度") == [YEAR, YEAR]
        assert column(sheet, "授课班次") == [2, 2]
        assert column(sheet, "有效附表2") == [9, 7] and column(sheet, "第7项优良") == [4, 3]
        assert column(sheet, "优良占比") == ["44.4%", "42.9%"]
        assert column(sheet, "农牧民就业（就业/结业）") == ["3/8", "1/7"]
        assert column(sheet, "城镇失业人员就业（就业/结业）") == ["1/2", "1/2"]
        assert column(sheet, "创业培训创业（就业/结业）") == ["—", "—"]

    def test_each_county_exports_its_own_classes_only(self, client, county_user, other_county_user, taught):
        sheet = sheet_of(export(client, county_user, "teacher-performance", f"year={YEAR}"))
        assert dict(zip(column(sheet, "教师"), column(sheet, "有效附表2"))) == {"白老师": 9, "乌老师": 5}
        sheet = sheet_of(export(client, other_county_user, "teacher-performance", f"year={YEAR}"))
        assert column(sheet, "教师") == ["乌老师"] and column(sheet, "授课班次") == [1]

    def test_an_institution_exports_only_the_forms_of_its_verified_classes(self, client, institution_user, taught):
        sheet = sheet_of(export(client, institution_user, "teacher-performance", f"year={YEAR}"))
        assert dict(zip(column(sheet, "教师"), zip(column(sheet, "第7项优良"), column(sheet, "有效附表2")))) == {
            "白老师": (3, 4), "乌老师": (0, 0)}

    def test_the_name_filter_is_honoured(self, client, league_user, taught):
        sheet = sheet_of(export(client, league_user, "teacher-performance", f"year={YEAR}&q=乌"))
        assert column(sheet, "教师") == ["乌老师"]
