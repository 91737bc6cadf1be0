"""The league's statistics report: PDF text and fonts, the .xlsx reopened and compared to the database, scoping."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from classes.models import Enrollment, Region, TrainingClass
from evaluations.models import Investigation, TraineeEvaluation
from followups.models import EmploymentRecord, FollowupItem
from reports.dashboards.services import class_figures_refresh

from .figures_fixture import EXPECTED, counted_classes  # noqa: F401 (fixture)
from .test_pdfs import embedded_fonts, pdf_text
from .test_verification import check_page, printed_code

YEAR_2026 = {"year": 2026}
TITLE = "兴安盟2026年度培训质量监督和绩效评价情况统计表"


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(f"reports:{name}"), {**YEAR_2026, **params})


def sheet_of(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return workbook.active


def rows_by_name(sheet) -> dict[str, dict[str, object]]:
    """Data rows keyed by their first cell; each row's cells keyed by "group/label" of the two header rows."""
    headers, group = [], ""
    for column in range(1, sheet.max_column + 1):
        upper, lower = sheet.cell(3, column).value, sheet.cell(4, column).value
        group = upper if upper is not None else group
        headers.append(upper if lower is None else f"{group}/{lower}")
    rows = {}
    for row in sheet.iter_rows(min_row=5, values_only=True):
        rows[row[0]] = dict(zip(headers, row))
    return rows


def counted_in_database(county: Region) -> dict[str, int]:
    """What the report's columns count, read straight from the records (not from the summary rows)."""
    classes = TrainingClass.objects.filter(
        institution__county=county, status=TrainingClass.Status.FINISHED, end_date__year=2026
    )
    enrollments = Enrollment.objects.filter(training_class__in=classes)
    completed = enrollments.filter(completion="completed")
    calls = FollowupItem.objects.filter(sample__training_class__in=classes, status="completed")
    return {
        "classes": classes.count(),
        "enrolled": enrollments.count(),
        "completed": completed.count(),
        "valid_forms": TraineeEvaluation.objects.filter(enrollment__in=completed, is_valid=True).count(),
        "followup_completed": calls.count(),
        "employed_farmers": EmploymentRecord.objects.filter(
            enrollment__in=completed.exclude(training_class__category="entrepreneurship"),
            enrollment__trainee__category__employment_group="farmer_herder",
            destination__in=("employee", "self_employed", "flexible"),
        ).count(),
        "failed": classes.filter(investigations__status="confirmed").distinct().count(),
    }


class TestPdf:
    def test_the_league_prints_every_county_and_the_league_total(self, client, league_user, counted_classes, tmp_path):
        response = get(client, league_user, "statistics_pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content, tmp_path)
        assert TITLE in text
        lines = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.strip()}
        # 旗县市, 培训班, 参训, 结业, 优秀 合格 需整改 待核查 不合格 尚无结论, 附表2 有效 覆盖率 不足80%,
        # 回访 已完成/应回访 比例 按时率 达标, then 已就业/结业 比率 评级 for each group.
        assert lines["乌兰浩特市"] == ["3", "25", "25", "1", "0", "1", "1", "0", "0", "21", "84.0%", "1", "3/4", "12.0%", "66.7%",
                                   "1", "5/21", "23.8%", "一般", "2/4", "50.0%", "优秀", "0/0", "—", "无数据"]
        assert lines["突泉县"][:16] == ["2", "11", "10", "0", "1", "0", "0", "1", "0", "10", "100.0%", "0", "2/2", "18.2%",
                                     "50.0%", "1"]
        assert lines["全盟合计"][:4] == ["5", "36", "35", "1"] and lines["全盟合计"][-3:] == ["1/4", "25.0%", "优秀"]

    def test_it_is_a4_landscape_with_the_cjk_font_embedded(self, client, league_user, counted_classes, tmp_path):
        import subprocess

        content = get(client, league_user, "statistics_pdf").content
        path = tmp_path / "statistics.pdf"
        path.write_bytes(content)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        width, height = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info).groups()
        assert float(width) > float(height)  # landscape
        fonts = embedded_fonts(content, tmp_path)
        cjk = [font for font in fonts if "CJK" in font[0]]
        assert cjk and all(font[-5] == "yes" and font[-4] == "yes" for font in cjk)  # embedded, subset

    def test_a_quarter_without_classes_prints_empty_rows_and_zero_totals(self, client, league_user, counted_classes, tmp_path):
        text = pdf_text(get(client, league_user, "statistics_pdf", quarter=3).content, tmp_path)
        assert "兴安盟2026年第三季度培训质量监督和绩效评价情况统计表" in text
        assert "所选期间没有已结业的培训班" in text and "乌兰浩特市" not in text


class TestVerification:
    """The report proves itself like the other official PDFs: its code re-derives the figures of its period and
    scope, and says whether they changed since printing."""

    def test_an_unchanged_report_matches_and_a_changed_conclusion_is_flagged(
        self, client, league_user, counted_classes, tmp_path
    ):
        code = printed_code(get(client, league_user, "statistics_pdf").content, tmp_path)
        _response, page = check_page(client, code)
        assert "与平台记录一致" in page and "统计数据没有变化" in page
        assert "培训质量监督和绩效评价情况统计表" in page and "2026年度 · 兴安盟" in page and "打印时间" in page
        assert "XA152201-2026-103" not in page and "学员" not in page  # no class, no person: figures only

        # A3 was 待核查; the county's investigation confirms it: 不合格 once the summary rows are recounted.
        Investigation.objects.create(training_class=counted_classes["A3"], status=Investigation.Status.CONFIRMED,
                                     opened_by=league_user)
        class_figures_refresh()
        _response, page = check_page(client, code)
        assert "记录在打印后已变更" in page and "统计数据发生了变化" in page

    def test_a_county_printout_follows_its_own_county_only(
        self, client, county_user, other_county_user, counted_classes, tmp_path
    ):
        code = printed_code(get(client, county_user, "statistics_pdf").content, tmp_path)
        assert "2026年度 · 兴安盟乌兰浩特市" in check_page(client, code)[1]
        Investigation.objects.create(training_class=counted_classes["B1"], status=Investigation.Status.CONFIRMED,
                                     opened_by=other_county_user)
        class_figures_refresh()
        assert "与平台记录一致" in check_page(client, code)[1]  # another county's class changed, not this report's

    def test_a_quarter_report_keeps_its_quarter(self, client, league_user, counted_classes, tmp_path):
        code = printed_code(get(client, league_user, "statistics_pdf", quarter=2).content, tmp_path)
        _response, page = check_page(client, code)
        assert "2026年第二季度 · 兴安盟" in page and "与平台记录一致" in page
        Investigation.objects.create(training_class=counted_classes["A3"], status=Investigation.Status.CONFIRMED,
                                     opened_by=league_user)
        class_figures_refresh()
        assert "记录在打印后已变更" in check_page(client, code)[1]


class TestSpreadsheet:
    def test_the_rows_match_the_database(self, client, league_user, county, other_county, counted_classes):
        response = get(client, league_user, "statistics_xlsx")
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = sheet_of(response)
        assert sheet["A1"].value == TITLE
        rows = rows_by_name(sheet)
        assert list(rows) == ["乌兰浩特市", "突泉县", "全盟合计"]
        for region in (county, other_county):
            row, database = rows[region.name], counted_in_database(region)
            assert (row["培训班"], row["参训人数"], row["结业人数"]) == (
                database["classes"], database["enrolled"], database["completed"])
            assert row["附表2/有效份数"] == database["valid_forms"]
            assert row["电话回访/已完成"] == database["followup_completed"]
            assert row["农牧民/就业"] == database["employed_farmers"]
            assert row["评价结论/不合格"] == database["failed"]
        total = rows["全盟合计"]
        assert total["培训班"] == EXPECTED["全盟合计"]["classes"]
        assert total["附表2/覆盖率"] == pytest.approx(31 / 35)
        assert total["农牧民/评级"] == "一般" and total["创业培训/创业成功率"] == pytest.approx(0.25)

    def test_the_sheet_is_ready_to_read(self, client, league_user, counted_classes):
        sheet = sheet_of(get(client, league_user, "statistics_xlsx"))
        assert sheet.freeze_panes == "B5"
        assert (sheet["A3"].value, sheet["E3"].value, sheet["E4"].value) == ("旗县市", "评价结论", "优秀")
        row = next(sheet.iter_rows(min_row=5, max_row=5))
        assert isinstance(row[1].value, int) and row[1].number_format == "0"
        coverage = next(cell for cell in row if cell.number_format == "0.0%")
        assert isinstance(coverage.value, float)
        assert sheet.column_dimensions["A"].width >= 16
        # A percentage with nothing to divide is an empty cell, not 0.
        assert rows_by_name(sheet)["乌兰浩特市"]["创业培训/创业成功率"] is None

    def test_a_name_that_looks_like_a_formula_stays_text(self, client, league_user, other_county, counted_classes):
        Region.objects.filter(pk=other_county.pk).update(name="=HYPERLINK(\"http://x\")")
        sheet = sheet_of(get(client, league_user, "statistics_xlsx"))
        cell = sheet["A6"]
        assert cell.value == "'=HYPERLINK(\"http://x\")" and cell.data_type == "s"


class TestScoping:
    def test_a_county_prints_its_own_county_only(self, client, county_user, counted_classes, tmp_path):
        text = pdf_text(get(client, county_user, "statistics_pdf").content, tmp_path)
        assert "兴安盟乌兰浩特市2026年度培训质量监督和绩效评价情况统计表" in text
        assert "突泉" not in text and "全盟合计" not in text
        rows = rows_by_name(sheet_of(get(client, county_user, "statistics_xlsx")))
        assert list(rows) == ["乌兰浩特市", "合计"] and rows["合计"]["培训班"] == 3

    def test_the_other_county_prints_its_own(self, client, other_county_user, counted_classes):
        rows = rows_by_name(sheet_of(get(client, other_county_user, "statistics_xlsx")))
        assert list(rows) == ["突泉县", "合计"] and rows["突泉县"]["结业人数"] == 10

    @pytest.mark.parametrize("name", ["statistics", "statistics_pdf", "statistics_xlsx"])
    def test_institutions_get_no_report(self, client, institution_user, counted_classes, name):
        assert get(client, institution_user, name).status_code == 404

    @pytest.mark.parametrize("name", ["statistics", "statistics_pdf", "statistics_xlsx"])
    def test_anonymous_visitors_are_sent_to_the_login_page(self, client, db, name):
        response = client.get(reverse(f"reports:{name}"), YEAR_2026)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))

    def test_an_invalid_period_is_no_file(self, client, league_user, counted_classes):
        assert get(client, league_user, "statistics_pdf", year=1999).status_code == 404
        assert get(client, league_user, "statistics_xlsx", quarter=5).status_code == 404


def test_the_page_shows_the_table_and_both_downloads(client, county_user, counted_classes):
    response = get(client, county_user, "statistics", quarter=2)
    page = response.content.decode()
    assert "兴安盟乌兰浩特市2026年第二季度培训质量监督和绩效评价情况统计表" in page
    assert f'{reverse("reports:statistics_pdf")}?year=2026&amp;quarter=2' in page
    assert f'{reverse("reports:statistics_xlsx")}?year=2026&amp;quarter=2' in page
    assert response.context["report"].total.classes == 3


def test_printed_figures_refuse_a_scope_or_period_they_cannot_read(db):
    from reports.statistics.report import printed_figures

    assert printed_figures("2026/county-None")[-1][1] == "0"  # a county account without its county: an empty report
    for printout_id in ("2026/institution-3", "2026/county-x", "2026", "20x6/league-1", "2026Q5/league-1", ""):
        assert printed_figures(printout_id) is None, printout_id
