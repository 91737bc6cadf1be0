"""How each sample was drawn is recorded by the path that drew it and shown on the class page and the record sheet."""

import subprocess
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from classes.models import TrainingClass
from conftest import enroll, make_class
from followups import services
from followups.models import FollowupSample
from followups.tasks import sweep_followup_samples
from xingan_training.celery import app as celery_app

from .conftest import ended_class


def shown(client, user, training_class, tmp_path) -> tuple[str, str]:
    """The draw as the class page and the record sheet PDF show it."""
    client.force_login(user)
    page = client.get(reverse("followups:class_followups", args=[training_class.pk])).content.decode()
    drawn_on_page = page.split('<span id="drawn">', 1)[1].split("</span>", 1)[0]
    path = tmp_path / "followups.pdf"
    path.write_bytes(client.get(reverse("reports:followups", args=[training_class.pk])).content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    drawn_in_pdf = text.split("抽取方式：", 1)[1].split("，", 1)[0]
    return drawn_on_page, drawn_in_pdf


def test_finishing_the_class_draws_through_the_hook_and_the_task(client, institution, occupation, institution_user,
                                                                 county_user, django_capture_on_commit_callbacks,
                                                                 tmp_path):
    training_class = make_class(institution, occupation, batch_number="XA152201-2026-570",
                                status=TrainingClass.Status.IN_TRAINING, end_date=date(2026, 5, 18))
    enroll(training_class, 6)
    client.force_login(institution_user)
    # The task runs in this process instead of a worker: the real hook → enqueue → task → service path.
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("classes:class_finish", args=[training_class.pk]), {"assessment_end_date": "2026-05-20"})
    finally:
        celery_app.conf.task_always_eager = False
    sample = FollowupSample.objects.get(training_class=training_class)
    assert (sample.trigger, sample.drawn_by) == (FollowupSample.Trigger.CLASS_FINISHED, None)
    assert shown(client, county_user, training_class, tmp_path) == ("结业后自动抽取", "结业后自动抽取")


def test_the_beat_sweep_is_labelled_as_the_system_schedule(client, institution, occupation, county_user, tmp_path):
    training_class = ended_class(institution, occupation)
    assert sweep_followup_samples() == 1
    assert FollowupSample.objects.get(training_class=training_class).trigger == FollowupSample.Trigger.SWEEP
    assert shown(client, county_user, training_class, tmp_path) == ("系统定时抽取", "系统定时抽取")


def test_the_county_button_names_the_person(client, institution, occupation, county_user, tmp_path):
    training_class = ended_class(institution, occupation)
    client.force_login(county_user)
    client.post(reverse("followups:draw", args=[training_class.pk]))
    sample = FollowupSample.objects.get(training_class=training_class)
    assert (sample.trigger, sample.drawn_by) == (FollowupSample.Trigger.MANUAL, county_user)
    label = f"人工抽取（{county_user.display_name}）"
    assert shown(client, county_user, training_class, tmp_path) == (label, label)


def test_the_management_command_is_labelled_as_the_command_line(client, institution, occupation, county_user, tmp_path):
    training_class = ended_class(institution, occupation)
    call_command("sample_followups", stdout=StringIO())
    assert FollowupSample.objects.get(training_class=training_class).trigger == FollowupSample.Trigger.COMMAND
    assert shown(client, county_user, training_class, tmp_path) == ("命令行抽取", "命令行抽取")


def test_only_a_manual_draw_names_a_person(institution, occupation, county_user):
    training_class = ended_class(institution, occupation)
    with pytest.raises(ValueError):
        services.followup_sample_draw(training_class_id=training_class.pk, trigger="manual")
    with pytest.raises(ValueError):
        services.followup_sample_draw(training_class_id=training_class.pk, trigger="sweep", actor=county_user)
    with pytest.raises(ValueError):
        services.followup_samples_sweep(trigger="manual")
    assert not FollowupSample.objects.exists()
    sample = services.followup_sample_draw(training_class_id=training_class.pk, trigger="class_finished")
    sample.drawn_by = county_user
    with pytest.raises(IntegrityError):
        sample.save()
