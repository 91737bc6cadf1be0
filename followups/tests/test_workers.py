"""Real Celery workers against a real broker: two workers draw each class once; a rolled-back enqueue never runs.

Needs a broker and a database that other processes can reach (PostgreSQL and Redis, as CI provides).
Under CI=true it fails rather than skips when they are missing.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.db import connection, transaction

from classes.models import TrainingClass
from conftest import IS_CI, enroll, make_class
from followups import services
from followups.models import FollowupItem, FollowupSample
from followups.tasks import draw_followup_sample, sweep_followup_samples
from xingan_training.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def workers():
    real_services = connection.vendor == "postgresql" and celery_app.conf.broker_url.startswith("redis://")
    if not real_services:
        if IS_CI:
            pytest.fail("CI must run this test against PostgreSQL and Redis")
        pytest.skip("needs DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis)")
    settings = connection.settings_dict
    database_url = f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    environment = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "xingan_training.settings_test"}
    queue = celery_app.conf.task_default_queue
    with celery_app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue)
    run = uuid.uuid4().hex[:8]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "xingan_training", "worker", "-Q", queue, "--pool", "solo",
             "-n", f"test-worker-{run}-{number}@%h", "--loglevel", "WARNING", "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for number in (1, 2)
    ]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            replies = celery_app.control.ping(timeout=1.0) or []
            if len([name for reply in replies for name in reply if name.startswith(f"test-worker-{run}-")]) == 2:
                break
        else:
            pytest.fail("the two Celery workers did not start")
        # Each worker sweeps once on start; let those sweeps finish before the test creates its classes.
        with celery_app.connection_for_write() as broker:
            wait_for(lambda: broker.default_channel.queue_declare(queue=queue, passive=False).message_count == 0, seconds=20)
        time.sleep(1.5)
        yield processes
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def ended_classes(institution, occupation, count, start=0):
    classes = []
    for number in range(start, start + count):
        training_class = make_class(
            institution, occupation, batch_number=f"XA152201-2026-W{number:02d}", status=TrainingClass.Status.FINISHED,
            start_date=date(2026, 3, 1), end_date=date(2026, 3, 10), assessment_end_date=date(2026, 3, 12),
        )
        enroll(training_class, 3 + number % 9, seed=number)
        classes.append(training_class)
    return classes


def test_two_workers_draw_each_class_once_and_a_rolled_back_task_never_runs(workers, institution, occupation):
    rolled_back, committed = ended_classes(institution, occupation, 2)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.enqueue_sample_draw(rolled_back.pk)
        raise RuntimeError("the request failed after queuing")
    with transaction.atomic():
        services.enqueue_sample_draw(committed.pk)
    assert wait_for(lambda: FollowupSample.objects.filter(training_class=committed).exists())
    time.sleep(2)  # had the rolled-back message been sent, one of the two idle workers would have run it by now
    assert not FollowupSample.objects.filter(training_class=rolled_back).exists()

    classes = ended_classes(institution, occupation, 24, start=10) + [rolled_back]
    for training_class in classes:
        draw_followup_sample.delay(training_class.pk)
        draw_followup_sample.delay(training_class.pk)
    sweep_followup_samples.delay()
    sweep_followup_samples.delay()
    assert wait_for(lambda: FollowupSample.objects.filter(training_class__in=classes).count() == len(classes))
    time.sleep(2)
    for training_class in classes:
        sample = FollowupSample.objects.get(training_class=training_class)
        items = FollowupItem.objects.filter(sample=sample)
        assert items.count() == sample.target_size == -(-training_class.enrollments.count() // 5)
        assert items.values("enrollment").distinct().count() == items.count()
    assert FollowupSample.objects.count() == len(classes) + 1
    assert all(process.poll() is None for process in workers), "a worker died"
