"""The landing page's 参训人次: finished classes' rosters from their institutions' summary rows, unfinished ones live,
each within the user's scope."""

from datetime import date

from django.urls import reverse

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
