"""The employment overview (followups:employment_overview) read from the per-institution summary rows: grades
against the hand counts of figures_fixture (all periods), the time of the figures, scoping and a fixed number of
queries whatever the number of classes."""

from datetime import date

import pytest
from django.urls import reverse

from followups.models import EmploymentRecord
from reports.dashboards.services import class_figures_refresh

from .figures_fixture import _employed, _finished, counted_classes  # noqa: F401 (fixture)


def overview(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("followups:employment_overview"), params)
    assert response.status_code == 200
    return response


def grades(rows) -> dict[str, list[tuple[int, int, str]]]:
    return {item.name: [(grade.successes, grade.total, grade.grade_label) for grade in graded] for item, graded in rows}


@pytest.mark.django_db
class TestEmploymentOverview:
    def test_league_grades_per_county_and_institution_match_the_hand_counts(self, client, league_user, counted_classes):
        response = overview(client, league_user)
        # 乌兰浩特市: farmer/herder 4+1 employed of 10+6+5+3 completed (A1–A4) = 20.8% 一般; urban 2/4 = 50% 优秀.
        # 突泉县: farmer/herder 1/6 = 16.7% 差; entrepreneurship 1 of the 4 completed (the dropped one does not count).
        expected = {
            "乌兰浩特市": [(5, 24, "一般"), (2, 4, "优秀"), (0, 0, "无数据")],
            "突泉县": [(1, 6, "差"), (0, 0, "无数据"), (1, 4, "优秀")],
        }
        counties = grades(response.context["overview"].counties)
        assert {name: counties[name] for name in expected} == expected
        assert all(counties[name] == [(0, 0, "无数据")] * 3 for name in counties.keys() - expected.keys())
        assert list(grades(response.context["page"]).values()) == list(expected.values())
        assert "5/24" in response.content.decode() and "1/4" in response.content.decode()

    def test_figures_say_when_they_were_taken_and_wait_for_the_next_refresh(
        self, client, county_user, institution_user, counted_classes
    ):
        page = overview(client, county_user).content.decode()
        assert "统计截至" in page
        a3 = counted_classes["A3"]
        _employed(list(a3.enrollments.all()[:2]), "employee", institution_user)
        county = overview(client, county_user).context["overview"].counties
        assert grades(county)[county_user.region.name][0] == (5, 24, "一般")  # as of the last refresh
        class_figures_refresh()
        response_county = overview(client, county_user).context["overview"].counties
        assert grades(response_county)[county_user.region.name][0] == (7, 24, "良好")  # 29.2%

    def test_county_sees_only_its_own_county_and_institutions(
        self, client, county_user, other_institution, counted_classes
    ):
        response = overview(client, county_user)
        assert [county.name for county, _ in response.context["overview"].counties] == [county_user.region.name]
        assert other_institution.name not in response.content.decode()

    def test_before_the_first_refresh_the_page_says_so(self, client, league_user, institution, occupation):
        _finished(institution, occupation, "XA152201-2026-201", ended=date(2026, 5, 20), size=3)
        page = overview(client, league_user).content.decode()
        assert "统计数据尚未生成" in page and "0/0" in page

    def test_queries_do_not_grow_with_classes_or_records(
        self, client, league_user, institution, occupation, institution_user, counted_classes,
        django_assert_num_queries,
    ):
        client.force_login(league_user)
        url = reverse("followups:employment_overview")
        client.get(url)
        with django_assert_num_queries(8) as captured:  # 7 + the second factor's device read (django-otp); the session is not rewritten
            client.get(url)
        for number in range(5):
            _, roster = _finished(institution, occupation, f"XA152201-2026-3{number:02d}", ended=date(2026, 7, 1), size=8)
            _employed(roster[:3], "employee", institution_user)
        class_figures_refresh()
        assert EmploymentRecord.objects.count() == 25
        with django_assert_num_queries(len(captured.captured_queries)):
            response = client.get(url)
        assert grades(response.context["overview"].counties)["乌兰浩特市"][0] == (5 + 15, 24 + 40, "优秀")  # 31.3%
