"""A class's registered headcount is one classroom at most (classes.models.MAX_REGISTERED_HEADCOUNT)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from classes import services
from classes.models import MAX_REGISTERED_HEADCOUNT, TrainingClass
from xingan_training.errors import ServiceError

from .test_class_pages import CLASS_FORM


def test_the_form_refuses_more_than_one_classroom_in_chinese(login, institution_user, occupation):
    response = login(institution_user).post(
        reverse("classes:class_create"),
        {**CLASS_FORM, "occupation": occupation.pk, "registered_headcount": MAX_REGISTERED_HEADCOUNT + 1},
    )
    assert "备案人数不能超过200人" in response.content.decode()
    assert not TrainingClass.objects.exists()


def test_the_largest_classroom_is_accepted(login, institution_user, occupation):
    login(institution_user).post(
        reverse("classes:class_create"),
        {**CLASS_FORM, "occupation": occupation.pk, "registered_headcount": MAX_REGISTERED_HEADCOUNT},
    )
    assert TrainingClass.objects.get().registered_headcount == 200


def test_the_service_refuses_it_without_the_form(institution_user, occupation):
    fields = {**CLASS_FORM, "start_date": date(2026, 12, 1), "end_date": date(2026, 12, 15), "registered_headcount": 201}
    with pytest.raises(ServiceError, match="备案人数应为1至200人"):
        services.training_class_create(actor=institution_user, occupation=occupation, **fields)


def test_the_database_refuses_it_on_every_path(training_class):
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingClass.objects.filter(pk=training_class.pk).update(registered_headcount=MAX_REGISTERED_HEADCOUNT + 1)
    training_class.refresh_from_db()
    assert training_class.registered_headcount == 40
