"""The league's year on the institution performance list (policy §8.7's yardstick of ``below_average``) is summed
from the summary rows, with their time shown, instead of counting the year's enrolments on every page; the
institution's own figures, and the detail page where the league evaluates, stay counted live. Before the first
refresh the list counts live too."""

from datetime import date

from django.urls import reverse

from followups.models import EmploymentRecord
from reports.dashboards.services import class_figures_refresh
from supervision.performance_selectors import institution_year_evidence, league_employment_of_year
from supervision.tests.test_performance import TODAY, YEAR, add_forms, employ, year_class


def league_farmers(user):
    return league_employment_of_year(user, YEAR).counts["farmer_herder"]


def test_the_summary_rows_give_the_same_league_year_as_a_live_count_and_say_when(
    client, league_user, county_user, institution, other_institution, occupation
):
    first = year_class(institution, occupation, 1, start=date(YEAR, 3, 2))
    add_forms(first, ["excellent"] * 10)
    employ(first, 4, by=league_user)
    second = year_class(other_institution, occupation, 2, start=date(YEAR, 4, 1))
    employ(second, 7, by=league_user)
    year_class(institution, occupation, 3, start=date(YEAR - 1, 12, 20))  # last year's: not in the yardstick
    live = institution_year_evidence(league_user, [institution.pk], year=YEAR, today=TODAY)[institution.pk]
    assert (live.employment[0].all_successes, live.employment[0].all_total) == (11, 20)
    assert league_employment_of_year(league_user, YEAR).as_of is None, "before the first refresh: counted live"
    assert league_farmers(league_user) == (11, 20)

    class_figures_refresh()
    yardstick = league_employment_of_year(league_user, YEAR)
    assert yardstick.counts["farmer_herder"] == (11, 20) and yardstick.as_of is not None

    # A record added after the refresh: the list's yardstick waits for the next refresh, the detail counts it now.
    EmploymentRecord.objects.create(enrollment=second.enrollments.order_by("id")[8], destination="employee",
                                    source="institution", updated_by=league_user)
    assert league_farmers(league_user) == (11, 20)
    detail = institution_year_evidence(league_user, [institution.pk], year=YEAR, today=TODAY)[institution.pk]
    assert (detail.employment[0].all_successes, detail.employment[0].all_total) == (12, 20)
    class_figures_refresh()
    assert league_farmers(league_user) == (12, 20)

    client.force_login(league_user)
    page = client.get(reverse("supervision:performance_list"), {"year": YEAR}).content.decode()
    assert f"括号内为全盟{YEAR}年数据，统计截至" in page and "（12/20）" in page
    detail_page = client.get(reverse("supervision:performance_detail", args=[institution.pk, YEAR])).content.decode()
    assert "12/20" in detail_page
