"""The Celery app: Redis when CELERY_BROKER_URL is set, kombu's file-system transport otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xingan_training.settings")

app = Celery("xingan_training")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
