"""manage.py seed_scale at a tiny size: the data keeps every constraint and the policy's rules (issue #12)."""

import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.urls import reverse

from accounts.audit import audit_event_append
from accounts.models import User
from conftest import IS_CI, audit_triggers_suspended, restore_reference_data
from classes.identity import parse_resident_id
from classes.models import Enrollment, Region, Trainee, TrainingClass
from classes.selectors import classes_visible_to
from evaluations import rules
from evaluations.models import ClassReview, Investigation, TraineeEvaluation, TraineeFormCounts
from evaluations.services import forwarding_blockers
from followups.models import FollowupItem, FollowupSample
from followups.sampling import draw_order, sample_size
from followups.selectors import with_completion_counts
from reports.dashboards.models import ClassFigures, InstitutionFigures
from reports.dashboards.services import class_figures_refresh
from reports.management.commands.seed_scale import DEFAULT_PASSWORD, flush_portal_data
from reports.scale.copying import ForeignKeyViolation, Progress, foreign_keys_checked_at_the_end
from supervision.inspection_selectors import inspections_visible_to
from supervision.models import Inspection
from xingan_training.personal_data import id_number_digest, phone_digest

CLASSES = 60
PAST_COUNTY = ("county_verified", "forwarded", "returned", "approved")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeds once for the module (a few seconds), then empties the portal tables for the other tests."""
    if connection.vendor != "postgresql":  # seed_scale loads with COPY
        if IS_CI:
            pytest.fail("CI runs on PostgreSQL")
        pytest.skip("seed_scale needs PostgreSQL (COPY)")
    with django_db_blocker.unblock():
        restore_reference_data()  # a transactional test before this module may have flushed the migrated rows
        call_command("seed_scale", classes=CLASSES, trainees_per_class=12, seed=7, no_vacuum=True, verbosity=0)
        yield
        # The bench logins' sign-ins wrote audit records, which the append-only table keeps: only a test may lift it.
        with audit_triggers_suspended(connection):
            flush_portal_data()


def _ratings(training_class_id: int) -> tuple[int, int, int, int]:
    counts = Counter(TraineeEvaluation.objects.filter(enrollment__training_class_id=training_class_id, is_valid=True)
                     .values_list("overall", flat=True))
    return tuple(counts[rating] for rating in rules.RATINGS)


@pytest.mark.django_db
def test_it_loads_the_classes_asked_for_in_every_county(seeded):
    assert TrainingClass.objects.count() == CLASSES
    counties = Region.objects.filter(level=Region.Level.COUNTY, parent__code="152200")
    per_county = dict(TrainingClass.objects.values_list("institution__county__code").annotate(Count("id")))
    assert set(per_county) == set(counties.values_list("code", flat=True))
    # Ten years of classes: at 60 classes nearly all have finished; the draft and training ones come at scale.
    assert "finished" in set(TrainingClass.objects.values_list("status", flat=True))


@pytest.mark.django_db
def test_every_trainee_has_a_valid_unique_resident_id(seeded):
    numbers = list(Trainee.objects.values_list("id_number", "gender", "birth_date"))
    assert len(numbers) > CLASSES * 5
    assert len({number for number, _gender, _birth in numbers}) == len(numbers)
    for number, gender, birth_date in numbers:
        parsed = parse_resident_id(number)
        assert (parsed.gender, parsed.birth_date) == (gender, birth_date)


@pytest.mark.django_db
def test_every_form_keeps_the_class_of_its_trainees_enrollment(seeded):
    # Teacher performance counts a class's forms by the class kept on the form (evaluations.0004).
    assert TraineeEvaluation.objects.exists()
    assert not TraineeEvaluation.objects.exclude(training_class=F("enrollment__training_class")).exists()


def test_the_kept_counts_equal_the_forms_and_calls_they_count(seeded):
    # The form services and call_attempt_record keep these in their transactions; the loader recounts them once.
    counts = {row.training_class_id: row for row in TraineeFormCounts.objects.all()}
    classes_with_forms = set(TraineeEvaluation.objects.filter(is_valid=True).values_list("training_class", flat=True))
    assert set(counts) == classes_with_forms and classes_with_forms
    for class_id, row in counts.items():
        forms = TraineeEvaluation.objects.filter(training_class_id=class_id, is_valid=True)
        assert row.valid_forms == forms.count()
        assert row.item_7_good == forms.filter(item_7__in=("excellent", "good")).count()
        assert tuple(getattr(row, f"overall_{rating}") for rating in rules.RATINGS) == _ratings(class_id)
    samples = with_completion_counts(FollowupSample.objects.all())
    assert samples.filter(completed__gt=0).exists()
    assert not samples.exclude(completed_calls=F("completed"), completed_on_time=F("on_time")).exists()


def test_rosters_stay_within_the_registered_headcount(seeded):
    over = TrainingClass.objects.annotate(enrolled=Count("enrollments")).filter(
        Q(enrolled__gt=F("registered_headcount")) | Q(registered_headcount__gt=200))
    assert not over.exists()


@pytest.mark.django_db
def test_class_figures_equal_the_rows_they_count(seeded):
    finished = TrainingClass.objects.filter(status="finished")
    assert ClassFigures.objects.count() == finished.count() > 0
    for figures in ClassFigures.objects.all():
        enrollments = Enrollment.objects.filter(training_class_id=figures.training_class_id)
        completed = enrollments.filter(completion="completed")
        assert figures.enrolled == enrollments.count()
        assert figures.completed == completed.count()
        assert figures.valid_forms == TraineeEvaluation.objects.filter(enrollment__in=completed, is_valid=True).count()


@pytest.mark.django_db
def test_reviews_reach_every_state_and_verified_conclusions_follow_the_forms(seeded):
    reviews = ClassReview.objects.select_related("training_class")
    # At 60 classes over ten years nearly every class is old and approved; the newest still move up the chain.
    states = set(reviews.values_list("status", flat=True))
    assert "approved" in states and len(states) >= 3
    for review in reviews.filter(status__in=PAST_COUNTY):
        grade = rules.grade_class(*_ratings(review.training_class_id))
        assert grade.total > 0
        states = set(Investigation.objects.filter(training_class_id=review.training_class_id).values_list("status", flat=True))
        assert "open" not in states  # policy §6.7: no verification while an investigation is open
        if "confirmed" in states:
            assert review.is_qualified is False
        elif review.is_qualified is False:
            assert review.unqualified_reason
        figures = ClassFigures.objects.get(training_class_id=review.training_class_id)
        assert figures.conclusion == rules.class_conclusion(
            grade,
            investigation_confirmed="confirmed" in states,
            investigation_open=False,
            investigation_cleared="not_confirmed" in states,
            rectification_open=review.training_class.rectification_notices.filter(status__in=("open", "submitted")).exists(),
            rectification_closed=review.training_class.rectification_notices.filter(status="closed").exists(),
        )


@pytest.mark.django_db
def test_classes_with_the_league_meet_every_forwarding_condition(seeded):
    with_league = ClassReview.objects.filter(status__in=("forwarded", "returned", "approved"))
    assert with_league.exists()
    for review in with_league.select_related("training_class"):
        assert forwarding_blockers(review.training_class) == []


@pytest.mark.django_db
def test_follow_up_samples_are_re_derivable_and_reach_twenty_percent_when_done(seeded):
    for sample in FollowupSample.objects.select_related("training_class"):
        enrolled = sample.training_class.enrollments.count()
        assert sample.target_size == sample_size(enrolled)
        assert sample.order == draw_order(sample.candidates, sample.seed)
        items = list(sample.items.order_by("position"))
        assert [item.enrollment_id for item in items] == sample.order[:len(items)]
        completed = sum(item.status == FollowupItem.Status.COMPLETED for item in items)
        if sample.training_class.review.status in ("forwarded", "returned", "approved"):
            assert completed >= sample.target_size


@pytest.mark.django_db
def test_bench_logins_sign_in_and_see_only_their_scope(seeded, client):
    for username in ("scale_league", "scale_county", "scale_county2", "scale_institution", "scale_inspector", "scale_admin"):
        client.post(reverse("accounts:login"), {"username": username, "password": DEFAULT_PASSWORD})
        assert client.session.get("_auth_user_id") == str(User.objects.get(username=username).pk), username
        client.logout()
    county = User.objects.get(username="scale_county")
    assert county.region.name == "乌兰浩特市"
    visible = classes_visible_to(county)
    assert 0 < visible.count() < CLASSES
    assert set(visible.values_list("institution__county__name", flat=True)) == {"乌兰浩特市"}
    institution = User.objects.get(username="scale_institution")
    assert set(classes_visible_to(institution).values_list("institution_id", flat=True)) == {institution.institution_id}
    inspector = User.objects.get(username="scale_inspector")
    assigned = inspections_visible_to(inspector)
    assert assigned.exists()
    assert assigned.count() == Inspection.objects.filter(inspectors=inspector).count() < Inspection.objects.count()


@pytest.mark.django_db
def test_seeding_twice_is_refused_without_append_or_flush(seeded):
    before = TrainingClass.objects.count()
    with pytest.raises(CommandError, match="--append"):
        call_command("seed_scale", classes=5, no_vacuum=True, verbosity=0)
    assert TrainingClass.objects.count() == before


@pytest.mark.django_db
def test_the_summary_rows_are_what_the_refresh_would_write(seeded):
    per_institution = list(InstitutionFigures.objects.order_by("pk").values())
    assert per_institution, "the per-institution sums are written with the class rows"
    assert class_figures_refresh().rows_changed == 0
    assert list(InstitutionFigures.objects.order_by("pk").values()) == per_institution


@pytest.mark.django_db
def test_a_dangling_reference_fails_the_load(seeded):
    """The load skips the row-by-row foreign-key triggers and checks every foreign key before commit."""
    progress = Progress(lambda line: None)
    training_class = TrainingClass.objects.first()
    with pytest.raises(ForeignKeyViolation, match="classes_enrollment.trainee_id"):
        with transaction.atomic(), foreign_keys_checked_at_the_end(progress):
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO classes_enrollment (training_class_id, trainee_id, roster_name, phone, phone_digest, "
                    "completion, is_subsidy_eligible, ineligibility_reason, created_at) "
                    "VALUES (%s, 2147483000, '无此人', '', '', 'enrolled', true, '', now())",
                    [training_class.pk],
                )
    assert not Enrollment.objects.filter(trainee_id=2147483000).exists()


@pytest.mark.django_db
def test_append_adds_classes_and_people_without_reusing_an_id_number(seeded):
    before = TrainingClass.objects.count()
    call_command("seed_scale", classes=12, trainees_per_class=5, seed=8, append=True, no_vacuum=True, verbosity=0)
    assert TrainingClass.objects.count() == before + 12
    assert Trainee.objects.values("id_number_digest").distinct().count() == Trainee.objects.count()
    assert User.objects.filter(username="scale_county").count() == 1
    assert class_figures_refresh().rows_changed == 0


@pytest.mark.django_db
def test_id_numbers_and_phones_are_stored_as_the_portal_stores_them(seeded):
    """Loaded with COPY, yet encrypted with the blind index beside them: the portal's lookups find the people."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number FROM classes_trainee ORDER BY id LIMIT 50")
        stored = cursor.fetchall()
        cursor.execute("SELECT phone FROM classes_enrollment ORDER BY id LIMIT 50")
        phones = [phone for (phone,) in cursor.fetchall()]
    assert not any(re.search(r"\d{15}", id_number) for _pk, id_number in stored)
    assert not any(re.fullmatch(r"1\d{10}", phone) for phone in phones)
    trainee = Trainee.objects.get(pk=stored[0][0])
    assert Trainee.objects.get(id_number_digest=id_number_digest(trainee.id_number)) == trainee
    enrollment = Enrollment.objects.filter(trainee=trainee).first()
    assert Enrollment.objects.filter(phone_digest=phone_digest(enrollment.phone)).filter(pk=enrollment.pk).exists()


@pytest.mark.django_db
def test_flush_is_refused_once_the_database_holds_audit_records(seeded):
    """The audit table is append-only: a used database is never emptied for a benchmark load."""
    audit_event_append(action="login", username="scale_league")
    with pytest.raises(CommandError, match="已有审计记录"):
        call_command("seed_scale", classes=5, flush=True, no_vacuum=True, verbosity=0)
    assert TrainingClass.objects.count() == CLASSES
