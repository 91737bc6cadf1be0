from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from classes.models import TrainingClass
from conftest import enroll, make_class
from evaluations import services
from evaluations.form_counts import trainee_form_counts_rebuild
from evaluations.items import CLASS_ITEM_FIELDS, TRAINEE_ITEM_FIELDS
from evaluations.models import TraineeEvaluation


def ratings(value="excellent"):
    return {name: value for name in CLASS_ITEM_FIELDS}


def trainee_answers(training_class, overall="excellent", **changes):
    answers = {name: "good" for name in TRAINEE_ITEM_FIELDS}
    answers.update(
        overall=overall,
        suggestions="",
        completed_training=True,
        attended_from=training_class.start_date,
        attended_to=training_class.end_date,
        attended_amount=training_class.class_hours,
        attended_unit="hours",
        organiser_name=training_class.institution.name,
        occupation_name=training_class.occupation.name,
        is_confirmed=True,
        signed_on=training_class.end_date,
    )
    answers.update(changes)
    return answers


def add_forms(training_class, overalls):
    """One valid 附表2 per listed overall rating, for the first trainees of the roster. Written in bulk as the
    loaders write them (the fixtures' classes are past the form window), so the class's form counts are recounted
    as the loaders recount them; test_form_counts follows the services' own counting."""
    enrollments = list(training_class.enrollments.order_by("id"))
    for enrollment, overall in zip(enrollments, overalls):
        TraineeEvaluation.objects.create(
            enrollment=enrollment, source="paper", **trainee_answers(training_class, overall=overall)
        )
    trainee_form_counts_rebuild(class_ids=[training_class.pk])


@pytest.fixture(autouse=True)
def fresh_trainee_form_counters():
    """The trainee form's throttling counts in the shared cache, which outlives a test's database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def finished_class(institution, occupation):
    training_class = make_class(
        institution, occupation, batch_number="XA152201-2026-050", status=TrainingClass.Status.IN_TRAINING,
        start_date=date(2026, 9, 1), end_date=date(2026, 9, 15),
    )
    enroll(training_class, 10)
    TrainingClass.objects.filter(pk=training_class.pk).update(
        status=TrainingClass.Status.FINISHED, assessment_end_date=date(2026, 9, 20)
    )
    # As training_class_finish does: everyone still enrolled completed the class (policy §3/§4 denominators).
    training_class.enrollments.update(completion="completed")
    training_class.refresh_from_db()
    return training_class


def self_assess(user, training_class, version=None):
    return services.self_assessment_submit(
        actor=user, training_class=training_class, ratings=ratings(), overall="excellent",
        evaluator="赵老师", evaluated_on=date(2026, 9, 14), version=version,
    )


def verify(user, training_class, version=None, passing=10):
    return services.county_verification_submit(
        actor=user, training_class=training_class, ratings=ratings("good"), overall="good", evaluator="李科员",
        evaluated_on=date(2026, 9, 21), is_qualified=True, passing_trainees=passing, responsible_person="王局长",
        verified_on=date(2026, 9, 22), version=version,
    )


def complete_followups(training_class, caller):
    """Draws the class's follow-up sample and records a completed call for each sampled trainee."""
    from followups import services as followups

    sample = followups.followup_sample_draw_for(actor=caller, training_class=training_class)
    for item in sample.items.all():
        followups.call_attempt_record(
            actor=caller, item=item, outcome="completed",
            answers={"received_training": True, "completed_training": True, "satisfaction": "excellent", "employment_status": "employee"},
        )
    return sample


@pytest.fixture
def forwarded_class(finished_class, institution_user, county_user):
    add_forms(finished_class, ["excellent"] * 10)
    self_assess(institution_user, finished_class)
    verify(county_user, finished_class)
    complete_followups(finished_class, county_user)
    services.review_forward(actor=county_user, training_class=finished_class)
    return finished_class


@pytest.fixture
def running_class(institution, occupation):
    today = timezone.localdate()
    training_class = make_class(
        institution, occupation, batch_number="XA152201-2026-060", status=TrainingClass.Status.IN_TRAINING,
        start_date=today - timedelta(days=5), end_date=today + timedelta(days=2),
    )
    enroll(training_class, 5)
    return training_class


@pytest.fixture
def link(running_class, county_user):
    return services.evaluation_link_create(actor=county_user, training_class=running_class)


def post_data(training_class, trainee, **changes):
    answers = trainee_answers(training_class, **changes)
    data = {key: ("true" if value is True else "false" if value is False else value) for key, value in answers.items()}
    data.update(name=trainee.name, id_number=trainee.id_number)
    return data
