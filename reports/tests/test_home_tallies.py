"""The landing page's 参训人次: finished classes' rosters from their institutions' summary rows, unfinished ones live,
each within the user's scope."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from classes.models import TrainingClass
from conftest import enroll, make_class
from evaluations.tests.conftest import finished_class  # noqa: F401 (fixture)
from reports.dashboards.services import class_figures_refresh


def stat(page: str) -> str:
    return page.split('<div class="stat-label">参训人次</div>')[0].rsplit('<div class="stat-value">', 1)[1].split("<")[0]


def test_finished_rosters_come_from_the_summary_rows_of_the_users_institutions(
    login, county_user, other_county_user, finished_class, other_institution, occupation  # noqa: F811
):
    other = make_class(other_institution, occupation, batch_number="XA152224-2026-050",
                       status=TrainingClass.Status.IN_TRAINING, start_date=date(2026, 9, 1), end_date=date(2026, 9, 15))
    enroll(other, 6)
    TrainingClass.objects.filter(pk=other.pk).update(status=TrainingClass.Status.FINISHED)
    class_figures_refresh()
    assert stat(login(county_user).get(reverse("home")).content.decode()) == "10"
    assert stat(login(other_county_user).get(reverse("home")).content.decode()) == "6"


def status_count(page: str, label: str) -> str:
    return page.split(f"<span>{label}</span>")[1].split('<span class="fw-semibold">')[1].split("<")[0]


def county_row(page: str, name: str) -> list[str]:
    row = page.split(f"<td>{name}</td>")[1].split("</tr>")[0]
    return [cell.split(">")[-1] for cell in row.split("</td>") if cell.strip()]


def test_finished_classes_are_counted_from_the_summary_rows_with_their_time_and_the_others_live(
    login, league_user, county_user, finished_class, other_class, institution, occupation  # noqa: F811
):
    """The finished classes (and 培训班, the county rows) as of the refresh the page names; the unfinished live."""
    make_class(institution, occupation, batch_number="XA152201-2026-060", status=TrainingClass.Status.IN_TRAINING)
    league = login(league_user)
    page = league.get(reverse("home")).content.decode()
    assert status_count(page, "已结业") == "0" and "已结业班次尚未统计" in page
    assert status_count(page, "培训中") == "1" and status_count(page, "筹备中") == "1"

    run = class_figures_refresh()
    page = league.get(reverse("home")).content.decode()
    assert status_count(page, "已结业") == "1" and status_count(page, "培训中") == "1"
    assert f"已结业班次统计于 {timezone.localtime(run.finished_at):%m-%d %H:%M}" in page
    assert county_row(page, institution.county.name) == ["2", "1", "1"]  # 培训班, 培训中, 已结业
    assert county_row(page, other_class.institution.county.name) == ["1", "0", "0"]
    assert '<div class="stat-value">3</div><div class="stat-label">培训班</div>' in page

    # A class that finishes after the refresh is counted at the next one (the page says when it counted).
    TrainingClass.objects.filter(batch_number="XA152201-2026-060").update(status=TrainingClass.Status.FINISHED)
    page = league.get(reverse("home")).content.decode()
    assert status_count(page, "已结业") == "1" and status_count(page, "培训中") == "0"
    class_figures_refresh()
    page = login(county_user).get(reverse("home")).content.decode()
    assert status_count(page, "已结业") == "2" and status_count(page, "筹备中") == "0"
    assert '<div class="stat-value">2</div><div class="stat-label">培训班</div>' in page  # not the other county's
    assert "各旗县市培训班" not in page  # the county rows are the league's


def test_the_landing_page_reads_a_fixed_number_of_queries(
    login, league_user, institution, other_institution, occupation, django_assert_max_num_queries
):
    client = login(league_user)
    client.get(reverse("home"))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("home"))
    for number in range(6):
        for each in (institution, other_institution):
            training_class = make_class(each, occupation, batch_number=f"XA15{each.pk:04d}-2026-1{number:02d}",
                                        status=TrainingClass.Status.IN_TRAINING)
            enroll(training_class, 2, seed=number)
            if number % 2:
                TrainingClass.objects.filter(pk=training_class.pk).update(status=TrainingClass.Status.FINISHED)
    class_figures_refresh()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))
