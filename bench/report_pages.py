"""Measures the report and supervision pages at region scale: for each page and role, the number of queries and
the median and p95 of 20 requests, beside Django's admin changelist of the equivalent model (ratio printed).

Run against a copy of the region-scale database (never the seeded original):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<copy> .venv/bin/python bench/report_pages.py [--runs 20] [--only WORD]
Target (issue #12): p95 < 150 ms per page and at least 5x faster than the admin changelist.
"""

import argparse
import statistics
import time

from benchdb import start_django, verified_client

start_django()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402

SHOW_SLOW = 0
settings.ALLOWED_HOSTS = ["*"]
# No collectstatic needed: the pages' static URLs, unhashed.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# (label, login, url, admin changelist of the equivalent model). The admin registers only the classes app's models:
# the class changelist stands for every class-based list, the trainee changelist for the search.
PAGES = [
    ("employment overview", "scale_league", "/followups/employment/", "/admin/classes/trainingclass/"),
    ("employment overview", "scale_county", "/followups/employment/", "/admin/classes/trainingclass/"),
    ("dashboard", "scale_league", "/reports/dashboard/", "/admin/classes/trainingclass/"),
    ("dashboard county filter", "scale_league", "/reports/dashboard/?county=__county__", "/admin/classes/trainingclass/"),
    ("dashboard year", "scale_league", "/reports/dashboard/?period=year", "/admin/classes/trainingclass/"),
    ("dashboard", "scale_county", "/reports/dashboard/", "/admin/classes/trainingclass/"),
    ("dashboard", "scale_institution", "/reports/dashboard/", "/admin/classes/trainingclass/"),
    ("statistics", "scale_league", "/reports/statistics/", "/admin/classes/trainingclass/"),
    ("statistics", "scale_county", "/reports/statistics/", "/admin/classes/trainingclass/"),
    ("trainee search name", "scale_league", "/reports/trainees/search/?q=__name__", "/admin/classes/trainee/"),
    ("trainee search id", "scale_league", "/reports/trainees/search/?q=__id__", "/admin/classes/trainee/"),
    ("trainee search phone", "scale_county", "/reports/trainees/search/?q=__phone__", "/admin/classes/trainee/"),
    ("signals", "scale_league", "/supervision/signals/", "/admin/classes/trainingclass/"),
    ("inspections", "scale_league", "/supervision/inspections/", "/admin/classes/trainingclass/"),
    ("inspections", "scale_inspector", "/supervision/inspections/", "/admin/classes/trainingclass/"),
    ("inspection coverage", "scale_league", "/supervision/inspections/coverage/", "/admin/classes/trainingclass/"),
    ("rectification ledger", "scale_league", "/supervision/rectifications/", "/admin/classes/trainingclass/"),
    ("rectification ledger", "scale_institution", "/supervision/rectifications/", "/admin/classes/trainingclass/"),
    ("opening queue", "scale_county", "/supervision/opening/", "/admin/classes/trainingclass/"),
    ("opening queue", "scale_league", "/supervision/opening/", "/admin/classes/trainingclass/"),
    ("attendance", "scale_county", "/supervision/attendance/", "/admin/classes/trainingclass/"),
    ("performance", "scale_league", "/supervision/performance/", "/admin/classes/trainingclass/"),
    ("decisions", "scale_league", "/supervision/performance/decisions/", "/admin/classes/trainingclass/"),
    ("teacher performance", "scale_league", "/supervision/teacher-performance/", "/admin/classes/trainingclass/"),
    ("teacher pool", "scale_league", "/supervision/teachers/", "/admin/classes/trainingclass/"),
    ("teacher queue", "scale_county", "/supervision/teachers/queue/", "/admin/classes/trainingclass/"),
    ("demand catalogue", "scale_league", "/supervision/catalogue/", "/admin/classes/trainingclass/"),
    ("demand overview", "scale_league", "/supervision/demand/", "/admin/classes/trainingclass/"),
    ("wishes", "scale_county", "/supervision/wishes/", "/admin/classes/trainingclass/"),
    ("department lists", "scale_league", "/supervision/department-lists/", "/admin/classes/trainingclass/"),
    ("red/black list (public)", "", "/public/red-black-list/", "/admin/classes/trainingclass/"),
]


def substitutions():
    from classes.models import Enrollment, Region

    enrollment = Enrollment.objects.select_related("trainee").order_by("pk").first()
    return {
        "__county__": str(Region.objects.filter(name="乌兰浩特市").values_list("pk", flat=True).first()),
        "__name__": enrollment.roster_name if enrollment else "张",
        "__id__": enrollment.trainee.id_number if enrollment else "",
        "__phone__": enrollment.phone if enrollment else "",
    }


def client_for(username: str) -> Client:
    if username:
        return verified_client(User.objects.get(username=username))
    return Client()


def measure(client: Client, url: str, runs: int) -> tuple[int, int, float, float]:
    client.get(url)  # warm-up
    timings = []
    recorded: list[tuple[float, str]] = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            recorded.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(record):
        status = client.get(url).status_code
    if SHOW_SLOW:
        for elapsed, sql in sorted(recorded, reverse=True)[:SHOW_SLOW]:
            print(f"    {elapsed:7.0f} ms  {sql[:600]}")
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    return status, len(recorded), statistics.median(timings), p95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="")
    parser.add_argument("--no-admin", action="store_true")
    parser.add_argument("--slow", type=int, default=0, help="print the N slowest queries of each page")
    arguments = parser.parse_args()
    global SHOW_SLOW
    SHOW_SLOW = arguments.slow
    values = substitutions()
    admin = client_for("scale_admin")
    admin_figures: dict[str, float] = {}
    print(f"{'page':28} {'role':18} {'status':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8} {'admin ms':>9} {'ratio':>6}")
    for label, username, url, admin_url in PAGES:
        if arguments.only and arguments.only not in label:
            continue
        for key, value in values.items():
            url = url.replace(key, value)
        status, queries, median, p95 = measure(client_for(username), url, arguments.runs)
        admin_median = None
        if admin_url and not arguments.no_admin:
            if admin_url not in admin_figures:
                admin_figures[admin_url] = measure(admin, admin_url, arguments.runs)[2]
            admin_median = admin_figures[admin_url]
        ratio = f"{admin_median / median:5.1f}x" if admin_median else "     -"
        admin_text = f"{admin_median:9.0f}" if admin_median else "        -"
        print(f"{label:28} {username or 'anonymous':18} {status:>6} {queries:>7} {median:10.0f} {p95:8.0f} {admin_text} {ratio}",
              flush=True)


if __name__ == "__main__":
    main()
