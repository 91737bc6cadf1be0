"""MonthFigures: the summary refresh sums the summary rows per institution and month; the league's and a county's
dashboards read those sums (as of the refresh they name) and count live only the classes finished since."""

from datetime import date

import pytest
from django.utils import timezone

from classes.models import TrainingClass
from classes.selectors import classes_visible_to
from conftest import make_class, run_at_once
from evaluations.models import Investigation
from reports.dashboards import figures
from reports.dashboards.models import InstitutionFigures, MonthFigures
from reports.dashboards.periods import Period
from reports.dashboards.services import class_figures_refresh

from .figures_fixture import counted_classes  # noqa: F401 (fixture)
from .test_dashboards import YEAR_2026, dashboard, drawn, table


def month_row(institution, month: date) -> MonthFigures:
    return MonthFigures.objects.get(institution=institution, month=month)


def test_the_refresh_sums_each_institutions_classes_per_month_of_their_end(counted_classes, institution):  # noqa: F811
    """May 2026 of 乌兰浩特市's institution: A1 (优秀, 10 trainees, 2 of 2 calls) and A2 (需整改, 10 trainees, 8 forms)."""
    may = month_row(institution, date(2026, 5, 1))
    assert (may.classes, may.enrolled, may.completed, may.valid_forms, may.forms_below) == (2, 20, 20, 18, 0)
    assert (may.conclusion_outstanding, may.conclusion_rectifying, may.conclusion_failed) == (1, 1, 0)
    assert (may.followup_target, may.followup_completed, may.followup_reached, may.followup_unsampled) == (4, 3, 1, 0)
    june = month_row(institution, date(2026, 6, 1))
    assert (june.classes, june.conclusion_under_investigation, june.forms_below, june.followup_unsampled) == (1, 1, 1, 1)
    assert month_row(institution, date(2025, 11, 1)).classes == 1  # A4, another year
    # B3 is still in training: no month of the other institution counts it.
    assert sum(row.classes for row in MonthFigures.objects.exclude(institution=institution)) == 2


def _figures_both_ways(user, kind: str) -> tuple[dict, dict]:
    """Every figure of a dashboard from MonthFigures and from the live grouping of the same classes."""
    args = {"dashboard": kind, "period": Period(2026), "filtered_classes": classes_visible_to(user), "filter_values": {},
            "today": timezone.localdate()}
    from_months = figures.figure_context_for(user, **args)
    assert from_months.monthly is not None
    live = figures.figure_context_for(user, **args)
    live.monthly = None

    def tables(context):
        return {figure.key: table(figure) for figure in figures.figures_for(context) if figure.result}

    return tables(from_months), tables(live)


@pytest.mark.parametrize("kind", [figures.LEAGUE, figures.COUNTY])
def test_the_summed_months_show_what_the_live_grouping_shows(kind, league_user, county_user, counted_classes,  # noqa: F811
                                                              institution, occupation):
    user = league_user if kind == figures.LEAGUE else county_user
    make_class(institution, occupation, batch_number="XA152201-2026-199", status=TrainingClass.Status.FINISHED,
               start_date=date(2026, 11, 1), end_date=date(2026, 11, 20))  # finished after the refresh
    from_months, live = _figures_both_ways(user, kind)
    assert from_months == live
    assert ["2026-11", *(["乌兰浩特市"] if kind == figures.LEAGUE else []), "1", "0", "0", "0", "0", "0", "1"] in (
        from_months["conclusions_by_month"])


def test_the_dashboard_shows_the_refreshed_sums_and_when_they_were_taken(client, league_user, other_county_user,
                                                                         counted_classes):  # noqa: F811
    run = class_figures_refresh()
    # B1 (合格) is found 不合格 after the refresh: the dashboard shows it at the next one, and says when it counted.
    Investigation.objects.create(training_class=counted_classes["B1"], status=Investigation.Status.CONFIRMED,
                                 opened_by=other_county_user)
    response = dashboard(client, league_user)
    assert table(drawn(response)["conclusions_by_area"])[1] == ["突泉县", "2", "0", "1", "0", "0", "1", "0"]
    assert f"数据更新于 {timezone.localtime(run.finished_at):%Y-%m-%d %H:%M}" in response.content.decode()
    class_figures_refresh()
    response = dashboard(client, league_user)
    assert table(drawn(response)["conclusions_by_area"])[1] == ["突泉县", "2", "0", "0", "0", "0", "2", "0"]


def test_an_occupation_filter_and_the_institutions_dashboard_count_live(client, league_user, institution_user,
                                                                         counted_classes, occupation):  # noqa: F811
    MonthFigures.objects.update(classes=99)  # were they read, the totals would say so
    rows = table(drawn(dashboard(client, league_user, occupation=occupation.pk))["conclusions_by_area"])
    assert rows[-1][:2] == ["合计", "4"]  # B2 is an entrepreneurship class
    rows = table(drawn(dashboard(client, institution_user, **YEAR_2026))["conclusions_by_month"])
    assert [row[:2] for row in rows] == [["2026-05", "2"], ["2026-06", "1"]]


def test_a_county_sees_only_its_institutions_months(client, county_user, counted_classes):  # noqa: F811
    rows = table(drawn(dashboard(client, county_user, **YEAR_2026))["conclusions_by_area"])
    assert len(rows) == 2 and rows[-1][:2] == ["合计", "3"]  # its one institution's A1–A3, not 突泉县's B1, B2


def test_the_institutions_league_average_from_the_months_equals_the_live_sums(institution_user, counted_classes):  # noqa: F811
    league_classes = figures.finished_classes_of(figures._league_classes_of_institution(institution_user), Period(2026))
    months = MonthFigures.objects.filter(month__year=2026)
    today = timezone.localdate()
    from_months = figures.league_comparison_of(league_classes, today=today, monthly=months)
    live = figures.league_comparison_of(league_classes, today=today)
    assert from_months == live
    assert (from_months.classes, from_months.employment_counts["farmer_herder"]) == (5, (6, 27))


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_both_finish_and_leave_the_same_sums(counted_classes, institution):  # noqa: F811
    """The beat's task and a manual `refresh_class_figures` may overlap: the second's delete does not see the rows
    the first inserted meanwhile, so both per-institution tables must take the later rows rather than fail."""
    def sums():
        return (sorted(MonthFigures.objects.values_list("institution", "month", "classes", "enrolled", "conclusion_outstanding")),
                sorted(InstitutionFigures.objects.values_list("institution", "finished_classes", "enrolled")))

    before = sums()
    outcomes = run_at_once(class_figures_refresh, class_figures_refresh)
    assert [type(outcome).__name__ for outcome in outcomes] == ["FiguresRefresh", "FiguresRefresh"]
    assert sums() == before and before[0] and before[1]
