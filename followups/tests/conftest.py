"""Follow-up fixtures: a class whose assessment has ended, its drawn sample, the answers of a completed call."""

from datetime import date, timedelta

import pytest

from classes.models import Enrollment, TrainingClass
from conftest import enroll, make_class
from followups import services

ANSWERS = {"received_training": True, "completed_training": True, "satisfaction": "good", "employment_status": "employee",
           "employer": "某酒店", "monthly_wage": 3200, "skill_improvement": "取得证书", "suggestions": ""}


def ended_class(institution, occupation, *, batch="XA152201-2026-500", size=11, ended=date(2026, 1, 31)):
    training_class = make_class(institution, occupation, batch_number=batch, status=TrainingClass.Status.FINISHED,
                                start_date=ended - timedelta(days=20), end_date=ended - timedelta(days=2),
                                assessment_end_date=ended)
    enroll(training_class, size)
    Enrollment.objects.filter(training_class=training_class).update(completion=Enrollment.Completion.COMPLETED)
    return training_class


@pytest.fixture
def sampled(institution, occupation):
    training_class = ended_class(institution, occupation)
    return training_class, services.followup_sample_draw(training_class_id=training_class.pk, trigger="class_finished")
