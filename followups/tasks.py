"""Celery tasks: thin wrappers that take ids and call services (STYLE.md)."""

from celery import shared_task
from celery.signals import worker_ready

from . import services
from .models import FollowupSample


@shared_task(name="followups.draw_sample", acks_late=True)
def draw_followup_sample(training_class_id: int) -> int | None:
    # Queued only by enqueue_sample_draw, i.e. when the institution finishes the class.
    sample = services.followup_sample_draw(training_class_id=training_class_id, trigger=FollowupSample.Trigger.CLASS_FINISHED)
    return sample.pk if sample else None


@shared_task(name="followups.sweep_samples", acks_late=True)
def sweep_followup_samples() -> int:
    return services.followup_samples_sweep()


@shared_task(name="followups.remind_overdue")
def remind_overdue_followups() -> int:
    return services.reminders_create_for_overdue()


@worker_ready.connect
def sweep_when_a_worker_starts(sender, **kwargs):
    # Beat's first interval run is one period away; classes that ended while no worker ran get drawn now.
    sender.app.send_task("followups.sweep_samples")
