"""The per-class counts of valid 附表2 (TraineeFormCounts) that the teacher ranking reads (policy §8.8): after every
path that adds or voids a form — online submission, paper entry, a refused repeat, the untruthful mark (policy §7),
the bulk loaders' recount and the migration that filled the rows — they equal a live count of the forms."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import run_at_once
from evaluations import selectors, services
from evaluations.form_counts import trainee_form_counts_rebuild
from evaluations.models import TraineeEvaluation, TraineeFormCounts
from xingan_training.errors import ServiceError

from .conftest import post_data, trainee_answers


RATINGS = ("excellent", "good", "fair", "poor")


def live_counts(training_class) -> tuple[int, int]:
    """(valid forms, item 7 优 or 良) counted from the forms; the overall ratings are compared by kept_counts."""
    forms = TraineeEvaluation.objects.filter(enrollment__training_class=training_class, is_valid=True)
    return forms.count(), forms.filter(item_7__in=("excellent", "good")).count()


def kept_counts(training_class) -> tuple[int, int]:
    """The class's kept (valid forms, item 7 优 or 良), after checking that its kept overall ratings (policy §3's
    grade) are the live ones too."""
    row = TraineeFormCounts.objects.filter(training_class=training_class).first()
    forms = TraineeEvaluation.objects.filter(enrollment__training_class=training_class, is_valid=True)
    live_overall = [forms.filter(overall=rating).count() for rating in RATINGS]
    assert [getattr(row, f"overall_{rating}") if row else 0 for rating in RATINGS] == live_overall
    return (row.valid_forms, row.item_7_good) if row else (0, 0)


def submit_online(link, enrollment, **answers):
    trainee = enrollment.trainee
    return services.trainee_evaluation_submit_online(
        link=selectors.evaluation_link_for_trainee(link.token), name=trainee.name, id_number=trainee.id_number,
        answers=trainee_answers(link.training_class, **answers),
    )


def test_online_submissions_count_each_form_and_its_item_7(running_class, link):
    first, second, third = running_class.enrollments.order_by("id")[:3]
    submit_online(link, first, item_7="excellent", overall="excellent")
    submit_online(link, second, item_7="fair", overall="poor")
    submit_online(link, third, item_7="good", overall="excellent")
    assert kept_counts(running_class) == live_counts(running_class) == (3, 2)


def test_a_refused_repeat_submission_changes_no_count(running_class, link):
    enrollment = running_class.enrollments.first()
    submit_online(link, enrollment, item_7="poor", overall="poor")
    with pytest.raises(ServiceError, match="已提交过有效的评价表"):
        submit_online(link, enrollment, item_7="excellent", overall="excellent")
    assert kept_counts(running_class) == live_counts(running_class) == (1, 0)


def test_paper_entry_through_the_page_counts_the_form(client, running_class, county_user):
    enrollment = running_class.enrollments.first()
    client.force_login(county_user)
    data = post_data(running_class, enrollment.trainee, item_7="excellent", overall="fair")
    data["enrollment"] = enrollment.pk
    response = client.post(reverse("evaluations:paper_entry", args=[running_class.pk]), data, follow=True)
    assert "已录入" in response.content.decode()
    assert kept_counts(running_class) == live_counts(running_class) == (1, 1)


def test_an_untruthful_form_leaves_the_counts(running_class, link, county_user):
    first, second = running_class.enrollments.order_by("id")[:2]
    kept = submit_online(link, first, item_7="good", overall="fair")
    voided = submit_online(link, second, item_7="excellent", overall="good")
    services.trainee_evaluation_mark_untruthful(actor=county_user, evaluation=voided, reason="未参加培训却填写已完成")
    assert kept_counts(running_class) == live_counts(running_class) == (1, 1)
    services.trainee_evaluation_mark_untruthful(actor=county_user, evaluation=kept, reason="代填")
    assert kept_counts(running_class) == live_counts(running_class) == (0, 0)


def test_a_refused_untruthful_mark_changes_no_count(running_class, link, county_user, institution_user):
    form = submit_online(link, running_class.enrollments.first(), item_7="good")
    with pytest.raises(ServiceError, match="只有旗县市人社部门可以认定"):
        services.trainee_evaluation_mark_untruthful(actor=institution_user, evaluation=form, reason="代填")
    services.trainee_evaluation_mark_untruthful(actor=county_user, evaluation=form, reason="代填")
    with pytest.raises(ServiceError, match="已作废"):
        services.trainee_evaluation_mark_untruthful(actor=county_user, evaluation=form, reason="代填")
    assert kept_counts(running_class) == live_counts(running_class) == (0, 0)


def test_the_loaders_recount_matches_forms_written_in_bulk(running_class, finished_class):
    for training_class, item_7s in ((running_class, ["excellent", "fair"]), (finished_class, ["good", "good", "poor"])):
        for enrollment, item_7 in zip(training_class.enrollments.order_by("id"), item_7s):
            TraineeEvaluation.objects.create(
                enrollment=enrollment, source="paper", **trainee_answers(training_class, item_7=item_7, overall=item_7)
            )
    TraineeEvaluation.objects.filter(enrollment__training_class=finished_class, item_7="poor").update(is_valid=False)
    assert trainee_form_counts_rebuild() == 2
    assert kept_counts(running_class) == live_counts(running_class) == (2, 1)
    assert kept_counts(finished_class) == live_counts(finished_class) == (2, 2)


def test_the_migration_counts_the_forms_already_there(running_class, finished_class):
    for enrollment, item_7 in zip(finished_class.enrollments.order_by("id"), ["excellent", "fair", "good"]):
        TraineeEvaluation.objects.create(
            enrollment=enrollment, source="paper", **trainee_answers(finished_class, item_7=item_7, overall=item_7)
        )
    migration = importlib.import_module("evaluations.migrations.0006_trainee_form_counts")
    migration.forget_counts(django_apps, None)
    migration.count_existing_forms(django_apps, None)
    assert kept_counts(finished_class) == live_counts(finished_class) == (3, 2)
    assert not TraineeFormCounts.objects.filter(training_class=running_class).exists()  # no forms, no row
    migration.forget_counts(django_apps, None)
    assert not TraineeFormCounts.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_trainees_of_one_class_submitting_at_once_are_each_counted(running_class, link):
    # Four phones of the same class: the first forms race to insert the class's row, the others add to it.
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's shared in-memory test database locks the table instead of racing; CI runs PostgreSQL")
    enrollments = list(running_class.enrollments.order_by("id")[:4])
    url = reverse("trainee_form_public", args=[link.token])

    def phone(enrollment, item_7):
        data = post_data(running_class, enrollment.trainee, item_7=item_7, overall=item_7)
        return lambda: Client().post(url, data).content.decode()

    pages = run_at_once(*(phone(enrollment, item_7) for enrollment, item_7 in zip(enrollments, ["excellent", "good", "poor", "fair"])))
    assert all("提交成功" in page for page in pages)
    assert kept_counts(running_class) == live_counts(running_class) == (4, 2)
