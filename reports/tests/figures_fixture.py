"""Two counties' finished classes whose figures are counted by hand (see EXPECTED), for the dashboard and the
statistics report tests.

乌兰浩特市 (institution):
- A1, ended 2026-05-20: 10 farmer/herder trainees, all completed; 附表2 9 优 + 1 良 → 优秀; sample of 2, both phoned
  on time; 4 employed. Verified by the county (the institution may read its conclusion).
- A2, ended 2026-05-28: 6 farmer/herder + 4 urban unemployed, all completed; 附表2 5 良 + 3 一般 (8 of 10, exactly
  80%) → 需整改; sample of 2, one phoned late, one never (overdue); farmer/herder 1 employed, urban 2 employed.
  Awaiting the county: to the institution it is still 尚无结论, like A3.
- A3, ended 2026-06-10: 5 farmer/herder, all completed; 附表2 2 良 + 1 差 (3 of 5, below 80%) → 待核查; no sample;
  nobody employed.
- A4, ended 2025-11-10 (outside 2026): 3 trainees, 3 优.
突泉县 (other_institution):
- B1, ended 2026-05-15: 6 farmer/herder, all completed; 6 良 → 合格; sample of 2, one on time, one late; 1 employed.
- B2, entrepreneurship, ended 2026-06-20: 5 trainees, 4 completed (1 dropped); 4 良; investigation confirmed → 不合格;
  no sample; 1 of the 4 started a business (and so did the dropped one, who does not count).
- B3, still in training, ends 2026-06-25: counted nowhere but in the institution's classes by state.
"""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from classes.models import Enrollment, Occupation, TraineeCategory, TrainingClass
from conftest import enroll, make_class
from evaluations.models import ClassReview, Investigation
from evaluations.tests.conftest import add_forms
from followups import services as followups
from followups.models import EmploymentRecord, FollowupItem
from reports.dashboards.services import class_figures_refresh

FINISHED = TrainingClass.Status.FINISHED


def _finished(institution, occupation, batch, *, ended: date, size: int, completed: int | None = None):
    training_class = make_class(
        institution, occupation, batch_number=batch, status=FINISHED, start_date=date(ended.year, ended.month, 1),
        end_date=ended, assessment_end_date=ended.replace(day=ended.day + 3),
    )
    enrollments = enroll(training_class, size)
    for enrollment in enrollments[: size if completed is None else completed]:
        enrollment.completion = Enrollment.Completion.COMPLETED
        enrollment.save(update_fields=["completion"])
    for enrollment in enrollments[size if completed is None else completed:]:
        enrollment.completion = Enrollment.Completion.DROPPED
        enrollment.save(update_fields=["completion"])
    return training_class, enrollments


def _phone(sample, caller, *, completed_on: list[date | None]):
    """Completes the sample's calls in draw order: a date completes that call on that day; None leaves it pending."""
    items = list(sample.items.order_by("position"))
    for item, day in zip(items, completed_on):
        if day is None:
            continue
        followups.call_attempt_record(actor=caller, item=item, outcome="completed", answers={
            "received_training": True, "completed_training": True, "satisfaction": "good", "employment_status": "unemployed",
        })
        FollowupItem.objects.filter(pk=item.pk).update(
            completed_at=timezone.make_aware(datetime.combine(day, time(10, 0)))
        )


def _employed(enrollments, destination: str, user):
    for enrollment in enrollments:
        EmploymentRecord.objects.update_or_create(
            enrollment=enrollment, defaults={"destination": destination, "source": "institution", "updated_by": user},
        )


@pytest.fixture
def counted_classes(institution, other_institution, occupation, county_user, other_county_user, institution_user):
    """The classes above with their figures refreshed; returns them by name."""
    entrepreneurship = Occupation.objects.create(
        code="SYB-01", name="创业培训（SYB）", level="special", training_type="entrepreneurship",
        subsidy_per_person=Decimal("1200"),
    )
    urban = TraineeCategory.objects.get(code="urban_registered_unemployed")

    a1, a1_roster = _finished(institution, occupation, "XA152201-2026-101", ended=date(2026, 5, 20), size=10)
    add_forms(a1, ["excellent"] * 9 + ["good"])
    sample = followups.followup_sample_draw(training_class_id=a1.pk, trigger="class_finished")
    _phone(sample, county_user, completed_on=[date(2026, 6, 1), date(2026, 6, 2)])
    ClassReview.objects.create(training_class=a1, status=ClassReview.Status.COUNTY_VERIFIED)

    a2, a2_roster = _finished(institution, occupation, "XA152201-2026-102", ended=date(2026, 5, 28), size=10)
    for enrollment in a2_roster[6:]:
        enrollment.trainee.category = urban
        enrollment.trainee.save(update_fields=["category"])
    add_forms(a2, ["good"] * 5 + ["fair"] * 3)
    sample = followups.followup_sample_draw(training_class_id=a2.pk, trigger="class_finished")
    _phone(sample, county_user, completed_on=[date(2026, 7, 15), None])
    ClassReview.objects.create(training_class=a2, status=ClassReview.Status.AWAITING_COUNTY)

    a3, a3_roster = _finished(institution, occupation, "XA152201-2026-103", ended=date(2026, 6, 10), size=5)
    add_forms(a3, ["good", "good", "poor"])

    a4, _ = _finished(institution, occupation, "XA152201-2025-104", ended=date(2025, 11, 10), size=3)
    add_forms(a4, ["excellent"] * 3)

    b1, b1_roster = _finished(other_institution, occupation, "XA152224-2026-101", ended=date(2026, 5, 15), size=6)
    add_forms(b1, ["good"] * 6)
    sample = followups.followup_sample_draw(training_class_id=b1.pk, trigger="class_finished")
    _phone(sample, other_county_user, completed_on=[date(2026, 6, 10), date(2026, 6, 30)])

    other_institution.licensed_occupations.add(entrepreneurship)
    b2, b2_roster = _finished(other_institution, entrepreneurship, "XA152224-2026-102", ended=date(2026, 6, 20), size=5,
                              completed=4)
    add_forms(b2, ["good"] * 4)
    Investigation.objects.create(training_class=b2, status=Investigation.Status.CONFIRMED, opened_by=other_county_user)

    b3 = make_class(other_institution, occupation, batch_number="XA152224-2026-103",
                    status=TrainingClass.Status.IN_TRAINING, start_date=date(2026, 6, 1), end_date=date(2026, 6, 25))

    # The employment file, as the institutions keep it (it overrides what the calls above recorded).
    EmploymentRecord.objects.all().delete()
    _employed(a1_roster[:4], "employee", institution_user)
    _employed(a2_roster[:1], "self_employed", institution_user)
    _employed(a2_roster[6:8], "employee", institution_user)
    _employed(b1_roster[:1], "flexible", institution_user)
    _employed([b2_roster[0], b2_roster[4]], "business", institution_user)

    class_figures_refresh()
    return {"A1": a1, "A2": a2, "A3": a3, "A4": a4, "B1": b1, "B2": b2, "B3": b3}


# Hand counts over 2026 (policy §3, §4, §5), per county in code order (乌兰浩特市 152201, 突泉县 152224).
EXPECTED = {
    "乌兰浩特市": {
        "classes": 3, "enrolled": 25, "completed": 25,
        "conclusions": {"outstanding": 1, "qualified": 0, "rectifying": 1, "under_investigation": 1, "failed": 0,
                        "no_data": 0},
        "valid_forms": 21, "form_coverage": "84.0%", "forms_below": 1,
        "followup_target": 4, "followup_completed": 3, "followup_on_time": 2, "followup_share": "12.0%",
        "on_time_rate": "66.7%", "followup_reached": 1, "followup_overdue": 1, "followup_unsampled": 1,
        "employment": {"farmer_herder": (5, 21, "一般"), "urban_unemployed": (2, 4, "优秀"),
                       "entrepreneurship": (0, 0, "无数据")},
    },
    "突泉县": {
        "classes": 2, "enrolled": 11, "completed": 10,
        "conclusions": {"outstanding": 0, "qualified": 1, "rectifying": 0, "under_investigation": 0, "failed": 1,
                        "no_data": 0},
        "valid_forms": 10, "form_coverage": "100.0%", "forms_below": 0,
        "followup_target": 2, "followup_completed": 2, "followup_on_time": 1, "followup_share": "18.2%",
        "on_time_rate": "50.0%", "followup_reached": 1, "followup_overdue": 0, "followup_unsampled": 1,
        "employment": {"farmer_herder": (1, 6, "差"), "urban_unemployed": (0, 0, "无数据"), "entrepreneurship": (1, 4, "优秀")},
    },
    "全盟合计": {
        "classes": 5, "enrolled": 36, "completed": 35,
        "conclusions": {"outstanding": 1, "qualified": 1, "rectifying": 1, "under_investigation": 1, "failed": 1,
                        "no_data": 0},
        "valid_forms": 31, "form_coverage": "88.6%", "forms_below": 1,
        "followup_target": 6, "followup_completed": 5, "followup_on_time": 3, "followup_share": "13.9%",
        "on_time_rate": "60.0%", "followup_reached": 2, "followup_overdue": 1, "followup_unsampled": 2,
        "employment": {"farmer_herder": (6, 27, "一般"), "urban_unemployed": (2, 4, "优秀"), "entrepreneurship": (1, 4, "优秀")},
    },
}
