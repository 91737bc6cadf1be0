"""The queues and the commendation list at scale: a period, pages, and as many queries for 2 classes as for 8."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from classes.models import TrainingClass
from conftest import enroll, make_class
from evaluations.models import ClassReview

from .conftest import add_forms


def approved_outstanding(institution, occupation, number: int, *, ended: date, status=ClassReview.Status.APPROVED):
    """A finished class whose ten trainees all rated it 优 and whose review is at ``status`` (approved)."""
    training_class = make_class(
        institution, occupation, batch_number=f"XA152201-{ended.year}-7{number:02d}",
        status=TrainingClass.Status.FINISHED, start_date=ended.replace(day=1), end_date=ended,
        assessment_end_date=ended,
    )
    enroll(training_class, 10, seed=number)
    training_class.enrollments.update(completion="completed")
    add_forms(training_class, ["excellent"] * 10)
    ClassReview.objects.update_or_create(training_class=training_class, defaults={"status": status})
    return training_class


@pytest.fixture
def this_year():
    return timezone.localdate().year


class TestCommendationList:
    def test_it_shows_this_year_by_default_and_other_years_on_request(
        self, login, league_user, institution, occupation, this_year
    ):
        current = approved_outstanding(institution, occupation, 1, ended=date(this_year, 1, 20))
        earlier = approved_outstanding(institution, occupation, 2, ended=date(this_year - 2, 5, 20))
        client = login(league_user)
        page = client.get(reverse("evaluations:commendations")).content.decode()
        assert current.batch_number in page and earlier.batch_number not in page
        every_year = client.get(reverse("evaluations:commendations"), {"year": "all"}).content.decode()
        assert current.batch_number in every_year and earlier.batch_number in every_year
        that_year = client.get(reverse("evaluations:commendations"), {"year": str(this_year - 2)}).content.decode()
        assert earlier.batch_number in that_year and current.batch_number not in that_year

    def test_a_bad_year_is_refused_in_chinese_and_shows_this_year(
        self, login, league_user, institution, occupation, this_year
    ):
        current = approved_outstanding(institution, occupation, 1, ended=date(this_year, 1, 20))
        response = login(league_user).get(reverse("evaluations:commendations"), {"year": "1999'--"})
        page = response.content.decode()
        assert response.status_code == 200
        assert "请选择列表中的年度" in page and current.batch_number in page

    def test_another_countys_class_is_not_listed(self, login, other_county_user, institution, occupation, this_year):
        current = approved_outstanding(institution, occupation, 1, ended=date(this_year, 1, 20))
        assert current.batch_number not in login(other_county_user).get(reverse("evaluations:commendations")).content.decode()

    def test_query_count_does_not_grow_with_classes(
        self, login, league_user, institution, occupation, this_year, django_assert_max_num_queries
    ):
        client = login(league_user)
        for number in range(2):
            approved_outstanding(institution, occupation, number, ended=date(this_year, 1, 10 + number))
        with django_assert_max_num_queries(30) as few:
            client.get(reverse("evaluations:commendations"))
        for number in range(2, 8):
            approved_outstanding(institution, occupation, number, ended=date(this_year, 1, 10 + number))
        with django_assert_max_num_queries(len(few.captured_queries)):
            page = client.get(reverse("evaluations:commendations")).content.decode()
        assert page.count(f"XA152201-{this_year}-7") == 8


class TestQueues:
    def test_league_queue_query_count_does_not_grow_with_classes(
        self, login, league_user, institution, occupation, django_assert_max_num_queries
    ):
        def forwarded(number):
            approved_outstanding(institution, occupation, number, ended=date(2026, 3, 1 + number),
                                 status=ClassReview.Status.FORWARDED)

        client = login(league_user)
        for number in range(2):
            forwarded(number)
        with django_assert_max_num_queries(30) as few:
            client.get(reverse("evaluations:league_queue"))
        for number in range(2, 8):
            forwarded(number)
        with django_assert_max_num_queries(len(few.captured_queries)):
            page = client.get(reverse("evaluations:league_queue")).content.decode()
        assert page.count("XA152201-2026-7") >= 8


class TestEstimatedCounts:
    def test_a_list_beyond_the_exact_limit_says_about_how_many(
        self, login, league_user, institution, occupation, monkeypatch
    ):
        cache.clear()
        monkeypatch.setattr("xingan_training.pagination.EXACT_UP_TO", 3)
        monkeypatch.setattr("classes.views.PAGE_SIZE", 2)
        for number in range(5):
            make_class(institution, occupation, batch_number=f"XA152201-2026-8{number:02d}")
        page = login(league_user).get(reverse("classes:class_list")).content.decode()
        assert "约 5 条" in page and "第 1 / 3 页" in page

    def test_a_short_list_is_counted_exactly(self, login, league_user, institution, occupation, monkeypatch):
        monkeypatch.setattr("classes.views.PAGE_SIZE", 2)
        for number in range(5):
            make_class(institution, occupation, batch_number=f"XA152201-2026-8{number:02d}")
        assert "共 5 条" in login(league_user).get(reverse("classes:class_list")).content.decode()
