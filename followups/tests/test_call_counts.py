"""The samples' counts of completed calls (FollowupSample.completed_calls, completed_on_time) that the coverage report
reads (policy §5): after every path that records a call — completed on time, completed late, not reached, replaced,
refused once the trainee is no longer pending — the bulk loaders' recount and the migration that filled the
columns, they equal the live count of the sample's calls (selectors.with_completion_counts)."""

import importlib
from datetime import datetime

import pytest
import time_machine
from django.apps import apps as django_apps
from django.utils import timezone

from followups import services
from followups.models import FollowupItem, FollowupSample
from followups.selectors import with_completion_counts
from xingan_training.errors import ServiceError

from .conftest import ANSWERS, ended_class

BEFORE_DUE = timezone.make_aware(datetime(2026, 2, 10, 9))  # the samples below are due 2026-02-28
ON_THE_DUE_DATE_LATE_EVENING = timezone.make_aware(datetime(2026, 2, 28, 23, 30))
DAY_AFTER_DUE = timezone.make_aware(datetime(2026, 3, 1, 0, 30))


def live_counts(sample) -> tuple[int, int]:
    counted = with_completion_counts(FollowupSample.objects.filter(pk=sample.pk)).get()
    return counted.completed, counted.on_time


def kept_counts(sample) -> tuple[int, int]:
    sample.refresh_from_db()
    return sample.completed_calls, sample.completed_on_time


def call(county_user, item, outcome="completed", *, at=None):
    with time_machine.travel(at or timezone.now(), tick=False):
        return services.call_attempt_record(
            actor=county_user, item=item, outcome=outcome, answers=ANSWERS if outcome == "completed" else None
        )


def test_completed_calls_count_on_time_by_the_local_due_date(sampled, county_user):
    _training_class, sample = sampled
    first, second, third = sample.items.order_by("position")
    call(county_user, first, at=BEFORE_DUE)
    call(county_user, second, at=ON_THE_DUE_DATE_LATE_EVENING)  # still the 28th in 兴安盟
    assert kept_counts(sample) == live_counts(sample) == (2, 2)
    call(county_user, third, at=DAY_AFTER_DUE)
    assert kept_counts(sample) == live_counts(sample) == (3, 2)


def test_calls_that_do_not_reach_the_trainee_change_no_count(sampled, county_user, settings):
    _training_class, sample = sampled
    unreachable, refused, _third = sample.items.order_by("position")
    for _attempt in range(settings.FOLLOWUP_MAX_FAILED_ATTEMPTS):
        call(county_user, unreachable, "no_answer")
    call(county_user, refused, "refused")  # replaced at once (policy §5 Decision)
    assert FollowupItem.objects.filter(sample=sample, status="replaced").count() == 2
    assert kept_counts(sample) == live_counts(sample) == (0, 0)
    replacement = FollowupItem.objects.get(sample=sample, replaces__isnull=False, replaces__pk=refused.pk)
    call(county_user, replacement, at=BEFORE_DUE)
    assert kept_counts(sample) == live_counts(sample) == (1, 1)


def test_a_refused_second_record_of_a_completed_call_changes_no_count(sampled, county_user, other_county_user):
    _training_class, sample = sampled
    item = sample.items.order_by("position").first()
    with pytest.raises(ServiceError, match="无权操作"):
        call(other_county_user, item)
    call(county_user, item, at=BEFORE_DUE)
    with pytest.raises(ServiceError, match="不能再记录通话"):
        call(county_user, item)
    assert kept_counts(sample) == live_counts(sample) == (1, 1)


def test_the_loaders_recount_matches_calls_written_in_bulk(sampled, county_user, institution, occupation):
    _training_class, sample = sampled
    other = services.followup_sample_draw(
        training_class_id=ended_class(institution, occupation, batch="XA152201-2026-560").pk, trigger="class_finished"
    )
    FollowupItem.objects.filter(sample=sample, position__lt=2).update(status="completed", completed_at=BEFORE_DUE)
    FollowupItem.objects.filter(sample=other, position=0).update(status="completed", completed_at=DAY_AFTER_DUE)
    assert services.followup_call_counts_rebuild() == 2
    assert kept_counts(sample) == live_counts(sample) == (2, 2)
    assert kept_counts(other) == live_counts(other) == (1, 0)


def test_the_migration_counts_the_calls_already_completed(sampled, county_user):
    _training_class, sample = sampled
    first, second, _third = sample.items.order_by("position")
    call(county_user, first, at=BEFORE_DUE)
    call(county_user, second, at=DAY_AFTER_DUE)
    FollowupSample.objects.update(completed_calls=0, completed_on_time=0)  # as the new columns start
    migration = importlib.import_module("followups.migrations.0006_sample_completed_call_counts")
    migration.count_completed_calls(django_apps, None)
    assert kept_counts(sample) == live_counts(sample) == (2, 1)
