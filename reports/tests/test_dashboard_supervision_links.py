"""The rectification and inspection-coverage figures honour the dashboard's county and institution filters, and
each number's link opens its list showing exactly that number."""

from datetime import timedelta

import pytest
from django.utils import timezone

from classes.models import TrainingClass
from supervision.inspection_selectors import batches_of_year
from supervision.models import RectificationItem
from supervision.tests.test_rectification import raise_item

from .figures_fixture import counted_classes  # noqa: F401 (fixture)
from .test_dashboards import dashboard, drawn, table

YEAR = 2026


@pytest.fixture
def ledger(county_user, other_county_user, institution, other_institution, counted_classes):  # noqa: F811
    first = raise_item(county_user, institution, problem="问题一")
    raise_item(county_user, institution, problem="问题二")
    closed = raise_item(other_county_user, other_institution, problem="问题三")
    raise_item(other_county_user, other_institution, problem="问题四")
    RectificationItem.objects.filter(pk=first.pk).update(deadline=timezone.localdate() - timedelta(days=2))
    RectificationItem.objects.filter(pk=closed.pk).update(
        status=RectificationItem.Status.CLOSED, closed_by=other_county_user, closed_at=timezone.now())


def ledger_count(client, link: str) -> int:
    response = client.get(link)
    assert response.status_code == 200
    return response.context["page"].paginator.count


class TestRectificationFigure:
    @pytest.mark.parametrize("filters, unresolved, overdue", [
        ({}, 3, 1), ({"county": "county"}, 2, 1), ({"county": "other_county"}, 1, 0),
        ({"institution": "institution"}, 2, 1), ({"institution": "other_institution"}, 1, 0),
    ])
    def test_the_figure_counts_the_filtered_ledger_and_its_links_list_exactly_those_items(
        self, request, client, league_user, ledger, filters, unresolved, overdue
    ):
        params = {name: request.getfixturevalue(fixture).pk for name, fixture in filters.items()}
        figure = drawn(dashboard(client, league_user, **params))["rectification_items"]
        assert table(figure) == [["未销号", str(unresolved)], ["其中已逾期", str(overdue)]]
        unresolved_cell, overdue_cell = (row[1] for row in figure.result.rows)
        assert all(f"{name}={value}" in unresolved_cell.link for name, value in params.items())
        assert ledger_count(client, unresolved_cell.link) == unresolved
        assert ledger_count(client, overdue_cell.link) == overdue

    def test_the_ledger_page_counts_link_to_the_same_lists(self, client, county_user, ledger):
        client.force_login(county_user)
        response = client.get("/supervision/rectifications/?status=unresolved")
        assert response.context["page"].paginator.count == response.context["counts"].unresolved == 2


def coverage_of(client, link: str) -> list[tuple[str, int, int]]:
    response = client.get(link)
    assert response.status_code == 200
    return [(row.county.name, row.batches, row.inspected) for row in response.context["coverage"]]


class TestInspectionCoverageFigure:
    def test_each_county_links_to_its_own_row_with_the_same_numbers(self, client, league_user, counted_classes):  # noqa: F811
        figure = drawn(dashboard(client, league_user))["inspection_coverage"]
        assert {row[0].text for row in figure.result.rows} >= {"乌兰浩特市", "突泉县"}
        for row in figure.result.rows:
            assert coverage_of(client, row[1].link) == [(row[0].text, int(row[1].text), int(row[2].text))]

    def test_the_county_and_institution_filters_narrow_the_figure_and_its_link(
        self, client, league_user, other_county, institution, counted_classes  # noqa: F811
    ):
        figure = drawn(dashboard(client, league_user, county=other_county.pk))["inspection_coverage"]
        assert [row[0].text for row in figure.result.rows] == [other_county.name]
        figure = drawn(dashboard(client, league_user, institution=institution.pk))["inspection_coverage"]
        (row,) = figure.result.rows
        expected = batches_of_year(TrainingClass.objects.filter(institution=institution), YEAR).count()
        assert (row[0].text, row[1].text) == (institution.county.name, str(expected))
        assert f"institution={institution.pk}" in row[1].link
        assert coverage_of(client, row[1].link) == [(institution.county.name, expected, 0)]
