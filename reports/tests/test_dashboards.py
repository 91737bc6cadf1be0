"""Dashboards: each figure against the hand counts of figures_fixture, the list behind every figure, scoping by
role, the registry's guard, the summary rows' refresh and a fixed number of queries."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.models import User
from classes.models import Enrollment, TrainingClass
from conftest import enroll, make_class
from evaluations.tests.conftest import add_forms
from reports.dashboards import figures
from reports.dashboards.figures import FIGURES, Figure, FigureResult
from reports.dashboards.models import ClassFigures
from reports.dashboards.services import class_figures_refresh

from .figures_fixture import EXPECTED, counted_classes  # noqa: F401 (fixture)

YEAR_2026 = {"year": 2026}


def dashboard(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("reports:dashboard"), {**YEAR_2026, **params})
    assert response.status_code == 200
    return response


def drawn(response) -> dict:
    return {figure.key: figure for figure in response.context["drawn_figures"]}


def table(figure) -> list[list[str]]:
    result = figure.result
    return [[cell.text for cell in row] for row in result.rows + ([result.total] if result.total else [])]


def listed_batches(client, link: str) -> list[str]:
    """The batch numbers the class list shows for a figure's link (every page of it)."""
    response = client.get(link)
    assert response.status_code == 200
    return sorted(item.batch_number for item in response.context["page"].paginator.object_list)


class TestLeagueDashboard:
    def test_conclusions_per_county_match_the_hand_counts(self, client, league_user, counted_classes):
        rows = table(drawn(dashboard(client, league_user))["conclusions_by_area"])
        labels = ["outstanding", "qualified", "rectifying", "under_investigation", "failed", "no_data"]
        assert rows == [
            [name, str(EXPECTED[name]["classes"]), *(str(EXPECTED[name]["conclusions"][label]) for label in labels)]
            for name in ("乌兰浩特市", "突泉县")
        ] + [["合计", "5", "1", "1", "1", "1", "1", "0"]]

    def test_conclusions_per_month_split_by_county(self, client, league_user, counted_classes):
        assert table(drawn(dashboard(client, league_user))["conclusions_by_month"]) == [
            ["2026-05", "乌兰浩特市", "2", "1", "0", "1", "0", "0", "0"],
            ["2026-05", "突泉县", "1", "0", "1", "0", "0", "0", "0"],
            ["2026-06", "乌兰浩特市", "1", "0", "0", "0", "1", "0", "0"],
            ["2026-06", "突泉县", "1", "0", "0", "0", "0", "1", "0"],
        ]

    def test_form_coverage_against_eighty_percent(self, client, league_user, counted_classes):
        rows = table(drawn(dashboard(client, league_user))["form_coverage"])
        assert rows == [
            [name, str(counts["classes"]), str(counts["completed"]), str(counts["valid_forms"]), counts["form_coverage"],
             str(counts["forms_below"])]
            for name, counts in EXPECTED.items()
        ][:2] + [["合计", "5", "35", "31", "88.6%", "1"]]

    def test_followups_against_twenty_percent_and_on_time(self, client, league_user, counted_classes):
        rows = table(drawn(dashboard(client, league_user))["followups"])
        assert rows == [
            [name if name != "全盟合计" else "合计", str(counts["enrolled"]), str(counts["followup_target"]),
             str(counts["followup_completed"]), counts["followup_share"], str(counts["followup_reached"]),
             str(counts["followup_overdue"]), str(counts["followup_unsampled"]), counts["on_time_rate"]]
            for name, counts in EXPECTED.items()
        ]

    def test_employment_per_group_graded_by_its_thresholds(self, client, league_user, counted_classes):
        rows = table(drawn(dashboard(client, league_user))["employment"])
        for row, (name, counts) in zip(rows, EXPECTED.items()):
            cells = []
            for group in ("farmer_herder", "urban_unemployed", "entrepreneurship"):
                successes, total, grade = counts["employment"][group]
                rate = "—" if not total else f"{successes * 100 / total:.1f}%"
                cells.append(f"{successes}/{total}（{rate}）{grade}")
            assert row == [name if name != "全盟合计" else "合计", *cells]

    def test_the_chart_carries_the_tables_numbers_and_links(self, client, league_user, counted_classes):
        figure = drawn(dashboard(client, league_user))["conclusions_by_area"]
        chart = figure.result.chart
        assert chart["yAxis"]["data"] == ["乌兰浩特市", "突泉县"]
        rectifying = next(series for series in chart["series"] if series["name"] == "需整改")
        assert [item["value"] for item in rectifying["data"]] == [1, 0]
        assert rectifying["data"][0]["link"] == figure.result.rows[0][4].link

    def test_every_class_count_links_to_exactly_the_classes_behind_it(self, client, league_user, counted_classes):
        """Following a figure's link lists as many classes as the figure says, whatever the figure."""
        response = dashboard(client, league_user)
        checked = 0
        for figure in response.context["drawn_figures"]:
            if figure.result is None:
                continue
            columns = figure.result.columns
            for row in figure.result.rows + ([figure.result.total] if figure.result.total else []):
                for column, cell in zip(columns, row):
                    counts_classes = column in ("培训班", *figures.CONCLUSION_COLUMNS) or column.endswith("的班")
                    if counts_classes and cell.link:
                        assert len(listed_batches(client, cell.link)) == int(cell.text), (figure.key, column, cell)
                        checked += 1
        assert checked > 60

    def test_a_county_conclusion_and_month_lists_those_classes(self, client, league_user, counted_classes):
        """The bar "乌兰浩特市 · 需整改 · 2026-05" lists A2, and only A2."""
        figure = drawn(dashboard(client, league_user))["conclusions_by_month"]
        row = next(row for row in figure.result.rows if row[0].text == "2026-05" and row[1].text == "乌兰浩特市")
        link = row[3 + figures.CONCLUSION_COLUMNS.index("需整改")].link
        assert "end_from=2026-05-01" in link and "end_to=2026-05-31" in link and "conclusion=rectifying" in link
        assert listed_batches(client, link) == [counted_classes["A2"].batch_number]

    def test_filters_narrow_every_figure(self, client, league_user, county, other_institution, counted_classes):
        by_county = drawn(dashboard(client, league_user, county=county.pk))
        assert [row[0] for row in table(by_county["conclusions_by_area"])] == ["乌兰浩特市", "合计"]
        by_category = drawn(dashboard(client, league_user, category="entrepreneurship"))
        assert table(by_category["conclusions_by_area"])[-1] == ["合计", "1", "0", "0", "0", "0", "1", "0"]
        june = drawn(dashboard(client, league_user, quarter=2, month=6))
        assert [row[0] for row in table(june["conclusions_by_month"])] == ["2026-06", "2026-06"]
        previous_year = drawn(dashboard(client, league_user, year=2025))
        assert table(previous_year["conclusions_by_area"]) == [["乌兰浩特市", "1", "1", "0", "0", "0", "0", "0"],
                                                              ["合计", "1", "1", "0", "0", "0", "0", "0"]]

    def test_a_month_outside_the_quarter_is_refused(self, client, league_user, counted_classes):
        response = dashboard(client, league_user, quarter=1, month=6)
        assert response.context["drawn_figures"] == []
        assert "所选月份不在所选季度内" in response.content.decode()

    def test_supervision_figures_come_from_their_apps(self, client, league_user, counted_classes):
        response = dashboard(client, league_user)
        figures = drawn(response)
        assert figures["fraud_signals"].result.rows == []  # counted in test_dashboard_signals
        assert table(figures["rectification_items"]) == [["未销号", "0"], ["其中已逾期", "0"]]
        assert figures["inspection_coverage"].result.columns == ["旗县市", "班期", "已检查", "覆盖率", "是否达到60%", "进度"]
        page = response.content.decode()
        assert "（该项数据尚未启用）" not in page
        assert "没有待核实的疑点。" in page and "现场检查覆盖率（不低于60%）" in page


class TestCountyDashboard:
    def test_rows_are_the_countys_institutions_and_nothing_of_another_county(self, client, county_user, counted_classes):
        response = dashboard(client, county_user)
        rows = table(drawn(response)["conclusions_by_area"])
        assert rows == [["乌兰浩特测试职业培训学校", "3", "1", "0", "1", "1", "0", "0"],
                        ["合计", "3", "1", "0", "1", "1", "0", "0"]]
        assert table(drawn(response)["followups"])[-1] == ["合计", "25", "4", "3", "12.0%", "1", "1", "1", "66.7%"]
        page = response.content.decode()
        assert "突泉" not in page and counted_classes["B1"].batch_number not in page

    def test_another_countys_filter_values_are_refused(self, client, county_user, other_county, other_institution,
                                                       counted_classes):
        # A county's dashboard has no county filter: the parameter is ignored and the figures stay its own.
        response = dashboard(client, county_user, county=other_county.pk)
        assert table(drawn(response)["conclusions_by_area"])[-1][1] == "3"
        assert "突泉" not in response.content.decode()
        # Another county's institution is not a choice: no figures at all.
        response = dashboard(client, county_user, institution=other_institution.pk)
        assert response.context["drawn_figures"] == []
        assert "筛选条件无效" in response.content.decode() and "突泉" not in response.content.decode()

    def test_the_list_behind_a_figure_stays_within_the_county(self, client, county_user, counted_classes):
        client.force_login(county_user)
        link = f"{reverse('classes:class_list')}?status=finished&end_from=2026-01-01&end_to=2026-12-31"
        assert listed_batches(client, link) == sorted(counted_classes[name].batch_number for name in ("A1", "A2", "A3"))
        assert listed_batches(client, link + "&conclusion=failed") == []


class TestInstitutionDashboard:
    def test_its_own_classes_by_state(self, client, other_institution_user, counted_classes):
        figure = drawn(dashboard(client, other_institution_user))["institution_classes"]
        assert table(figure) == [["筹备中", "0"], ["培训中", "1"], ["已结业", "2"]]
        assert listed_batches(client, figure.result.rows[1][1].link) == [counted_classes["B3"].batch_number]

    def test_employment_against_the_league_average(self, client, institution_user, other_institution_user, counted_classes):
        # 乌兰浩特: farmer/herder 5/21 = 23.8% against the league's 6/27 = 22.2%; 突泉: 1/6 = 16.7%, below it.
        own = table(drawn(dashboard(client, institution_user))["institution_employment"])
        assert own[0] == ["农牧民（就业率）", "5/21", "23.8%", "一般", "22.2%", "不低于平均"]
        assert own[1] == ["城镇失业人员（就业率）", "2/4", "50.0%", "优秀", "50.0%", "不低于平均"]
        assert own[2] == ["创业培训（创业成功率）", "0/0", "—", "无数据", "25.0%", "无数据"]
        other = table(drawn(dashboard(client, other_institution_user))["institution_employment"])
        assert other[0] == ["农牧民（就业率）", "1/6", "16.7%", "差", "22.2%", "低于平均"]

    def test_conclusions_by_month_are_its_own_and_only_once_verified(self, client, institution_user, counted_classes):
        # A1 (优秀) is verified; A2 (需整改) and A3 (待核查) await the county: 尚无结论 to the institution (policy §6.6).
        response = dashboard(client, institution_user)
        assert table(drawn(response)["conclusions_by_month"]) == [
            ["2026-05", "2", "1", "0", "0", "0", "0", "1"], ["2026-06", "1", "0", "0", "0", "0", "0", "1"],
        ]
        assert set(drawn(response)) == {"conclusions_by_month", "institution_classes", "institution_employment",
                                        "rectification_items"}
        assert "突泉" not in response.content.decode()

    def test_its_class_list_filters_conclusions_only_once_verified(self, client, institution_user, counted_classes):
        client.force_login(institution_user)
        link = f"{reverse('classes:class_list')}?status=finished&end_from=2026-01-01&end_to=2026-12-31&conclusion="
        assert listed_batches(client, link + "outstanding") == [counted_classes["A1"].batch_number]
        assert listed_batches(client, link + "rectifying") == []
        assert listed_batches(client, link + "under_investigation") == []
        assert listed_batches(client, link + "no_data") == sorted(counted_classes[name].batch_number for name in ("A2", "A3"))
        page = client.get(link).content.decode()
        assert 'name="conclusion"' in page and 'name="followup"' not in page and 'name="form_coverage"' not in page

    def test_no_statistics_report_link(self, client, institution_user, counted_classes):
        assert reverse("reports:statistics") not in dashboard(client, institution_user).content.decode()


class TestAccess:
    def test_anonymous_visitors_are_sent_to_the_login_page(self, client, db):
        response = client.get(reverse("reports:dashboard"))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))

    def test_a_user_without_a_role_gets_no_dashboard(self, client, db):
        client.force_login(User.objects.create_user("nobody", password="Test-Password-2026"))
        assert client.get(reverse("reports:dashboard")).status_code == 404

    def test_the_navigation_offers_it_to_each_role(self, client, league_user, county_user, institution_user):
        for user in (league_user, county_user, institution_user):
            client.force_login(user)
            assert f'href="{reverse("reports:dashboard")}">统计分析' in client.get(reverse("home")).content.decode()


class TestRegistry:
    def test_a_new_figure_is_one_more_entry(self, client, league_user, counted_classes, monkeypatch):
        def institutions(context):
            count = context.classes.values("institution").distinct().count()
            return FigureResult(columns=["机构数"], rows=[[figures.Cell(str(count))]])

        monkeypatch.setitem(FIGURES, "institutions", Figure("institutions", "机构数", figures.ALL_DASHBOARDS, institutions,
                                                             requires_model="classes.Institution"))
        assert table(drawn(dashboard(client, league_user))["institutions"]) == [["2"]]

    def test_an_entry_whose_model_is_missing_is_not_enabled(self, client, league_user, counted_classes, monkeypatch):
        def never(context):
            raise AssertionError("not called while its model is missing")

        monkeypatch.setitem(FIGURES, "later", Figure("later", "以后的数字", figures.ALL_DASHBOARDS, never,
                                                      requires_model="supervision.NotYetShipped"))
        assert drawn(dashboard(client, league_user))["later"].result is None


class TestSummaryRows:
    def test_a_class_finished_after_the_refresh_waits_for_its_conclusion(self, client, league_user, institution, occupation,
                                                                        counted_classes):
        late = make_class(institution, occupation, batch_number="XA152201-2026-199", status=TrainingClass.Status.FINISHED,
                          start_date=date(2026, 11, 1), end_date=date(2026, 11, 20))
        response = dashboard(client, league_user)
        assert table(drawn(response)["conclusions_by_area"])[0] == ["乌兰浩特市", "4", "1", "0", "1", "1", "0", "1"]
        assert "另有 1 个培训班结业不久" in response.content.decode()
        client.force_login(league_user)
        no_data = drawn(response)["conclusions_by_area"].result.rows[0][7].link
        assert late.batch_number in listed_batches(client, no_data)

    def test_a_refresh_writes_only_what_changed(self, counted_classes):
        assert class_figures_refresh().rows_changed == 0
        a3 = counted_classes["A3"]
        add_forms_to_the_rest(a3)
        run = class_figures_refresh()
        assert run.rows_changed == 1
        figures_row = ClassFigures.objects.get(training_class=a3)
        # 2 良 + 1 差 + 2 优: 差 is still 20% of 5 → 待核查; 5 of 5 forms now.
        assert (figures_row.valid_forms, figures_row.is_form_coverage_sufficient, figures_row.conclusion) == (
            5, True, "under_investigation")

    def test_a_class_no_longer_finished_leaves_the_figures(self, counted_classes):
        TrainingClass.objects.filter(pk=counted_classes["A1"].pk).update(status=TrainingClass.Status.IN_TRAINING)
        class_figures_refresh()
        assert not ClassFigures.objects.filter(training_class=counted_classes["A1"]).exists()


def add_forms_to_the_rest(training_class):
    from evaluations.models import TraineeEvaluation
    from evaluations.tests.conftest import trainee_answers

    for enrollment in training_class.enrollments.exclude(evaluations__isnull=False):
        TraineeEvaluation.objects.create(enrollment=enrollment, source="paper",
                                         **trainee_answers(training_class, overall="excellent"))


def more_classes(institution, occupation, count: int, *, prefix: str):
    for number in range(count):
        ended = date(2026, 3, 1) + timedelta(days=number * 7)
        training_class = make_class(institution, occupation, batch_number=f"{prefix}-{number:03d}",
                                    status=TrainingClass.Status.FINISHED, start_date=ended - timedelta(days=10), end_date=ended)
        enroll(training_class, 4, seed=number)
        Enrollment.objects.filter(training_class=training_class).update(completion="completed")
        add_forms(training_class, ["good", "fair", "excellent"])
    class_figures_refresh()


@pytest.mark.parametrize("username", ["league", "county", "institution"])
def test_each_dashboard_reads_a_fixed_number_of_queries(client, username, league_user, county_user, institution_user,
                                                        institution, other_institution, occupation,
                                                        django_assert_max_num_queries):
    user = User.objects.get(username=username)
    more_classes(institution, occupation, 2, prefix="XA152201-2026-Q")
    more_classes(other_institution, occupation, 1, prefix="XA152224-2026-Q")
    client.force_login(user)
    url = reverse("reports:dashboard")
    client.get(url, YEAR_2026)  # caches filled once per process (content types, sessions) are not the page's
    with django_assert_max_num_queries(20) as few:
        client.get(url, YEAR_2026)
    more_classes(institution, occupation, 20, prefix="XA152201-2026-R")
    more_classes(other_institution, occupation, 12, prefix="XA152224-2026-R")
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(url, YEAR_2026)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert response.context["figure_context"].total.classes == {"league": 35, "county": 22, "institution": 22}[username]


def test_the_page_has_no_inline_script_and_loads_echarts_from_this_host(client, league_user, counted_classes):
    page = dashboard(client, league_user).content.decode()
    scripts = re.findall(r"<script([^>]*)>", page)
    assert all('src="/static/' in attributes or 'type="application/json"' in attributes for attributes in scripts)
    assert 'src="/static/vendor/echarts/echarts.min.js"' in page
    assert "style=" not in page


def test_the_command_and_the_task_refresh_the_rows(counted_classes):
    from django.core.management import call_command

    from reports.tasks import refresh_class_figures

    ClassFigures.objects.filter(training_class=counted_classes["A1"]).delete()
    call_command("refresh_class_figures")
    assert ClassFigures.objects.get(training_class=counted_classes["A1"]).conclusion == "outstanding"
    ClassFigures.objects.filter(training_class=counted_classes["A1"]).update(conclusion="failed")
    assert refresh_class_figures() == 1
    assert ClassFigures.objects.get(training_class=counted_classes["A1"]).conclusion == "outstanding"


def test_a_figure_tables_cells_carry_their_column_label_link_and_escaping():
    from reports.dashboards.figures import Cell, FigureResult

    result = FigureResult(columns=["旗县市", "班期"], rows=[[Cell("<b>乌兰浩特市</b>", is_number=False), Cell("3", "/classes/?a=1&b=2")]],
                          total=[Cell("合计", is_number=False), Cell("3")])
    assert result.rows_html == [
        '<td data-label="旗县市">&lt;b&gt;乌兰浩特市&lt;/b&gt;</td>'
        '<td data-label="班期" class="text-end text-nowrap"><a href="/classes/?a=1&amp;b=2">3</a></td>'
    ]
    assert result.total_html == '<td data-label="旗县市">合计</td><td data-label="班期" class="text-end text-nowrap">3</td>'
