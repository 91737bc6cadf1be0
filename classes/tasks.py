from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services

STALE_IMPORT_AGE = timedelta(hours=24)


@shared_task(name="classes.purge_stale_roster_imports")
def purge_stale_roster_imports() -> int:
    return services.roster_imports_purge_stale(older_than=timezone.now() - STALE_IMPORT_AGE)
