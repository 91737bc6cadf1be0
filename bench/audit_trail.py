"""Seeds N audit events (default 300,000) spread over 180 days and the six counties' users, then times the audit
trail page's two queries (count and first page) for a league auditor and a county auditor, unfiltered and with each
filter (who, what, when, which record), and prints the figures.

Run: .venv/bin/python bench/audit_trail.py [--events N]   (DATABASE_URL for PostgreSQL; default a throwaway SQLite file)
"""

import argparse
import random
import time
from datetime import timedelta

from benchdb import start_django, throwaway_database

start_django()

PAGE_SIZE = 50
BATCH = 20_000


def seed(events_total: int, rng: random.Random) -> dict:
    from django.db import connection

    from accounts.models import AuditEvent, Role, User
    from classes.models import Region

    league = Region.objects.get(code="152200")
    counties = list(Region.objects.filter(level=Region.Level.COUNTY, parent=league).order_by("code"))
    staff = [User.objects.create(username=f"bench-{county.code}-{number}", role=Role.COUNTY, region=county)
             for county in counties for number in range(5)]
    auditors = {
        "league": User.objects.create(username="bench-auditor", role=Role.AUDITOR, region=league),
        "county": User.objects.create(username="bench-auditor-county", role=Role.AUDITOR, region=counties[0]),
    }
    actions = list(AuditEvent.Action.values)
    created = 0
    while created < events_total:
        size = min(BATCH, events_total - created)
        rows = []
        for _ in range(size):
            actor = rng.choice(staff)
            rows.append(AuditEvent(action=rng.choice(actions), actor=actor, username=actor.username,
                                   object_type="classes.TrainingClass", object_id=str(rng.randrange(1, 2_000)),
                                   detail="基准事件"))
        AuditEvent.objects.bulk_create(rows)
        created += size
    # auto_now_add stamped them all now: spread them over the 180 days the retention period holds.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("UPDATE accounts_auditevent SET created_at = now() - (id % 180) * interval '1 day'")
        else:
            cursor.execute("UPDATE accounts_auditevent SET created_at = datetime('now', '-' || (id % 180) || ' days')")
    return {"staff": staff, **auditors}


def timed(user, params: dict) -> tuple[float, int]:
    from django.core.paginator import Paginator
    from django.http import QueryDict

    from reports.audit_trail.filters import audit_events_filtered

    query = QueryDict(mutable=True)
    query.update(params)
    started = time.perf_counter()
    _filter, events = audit_events_filtered(user, query)
    page = Paginator(events, PAGE_SIZE).get_page(1)
    rows = len(page.object_list)
    total = page.paginator.count
    assert rows == min(PAGE_SIZE, total)
    return (time.perf_counter() - started) * 1000, total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300_000)
    options = parser.parse_args()
    with throwaway_database():
        from django.utils import timezone

        started = time.perf_counter()
        people = seed(options.events, random.Random(13))
        print(f"seeded {options.events} events in {time.perf_counter() - started:.1f} s")
        today = timezone.localdate()
        filters = {
            "unfiltered": {},
            "who": {"username": people["staff"][0].username},
            "what": {"action": "export_personal_data"},
            "when (7 days)": {"date_from": (today - timedelta(days=7)).isoformat(), "date_to": today.isoformat()},
            "which record": {"object_type": "classes.TrainingClass", "object_id": "42"},
        }
        for reader in ("league", "county"):
            for label, params in filters.items():
                milliseconds, total = timed(people[reader], params)
                print(f"{reader:7} auditor  {label:14} {total:>8} events  first page + count {milliseconds:7.1f} ms")


if __name__ == "__main__":
    main()
