"""Measures every list, queue, landing page, dashboard and report page of the portal, role by role, against a
region-scale database, beside Django's admin changelist of the same model on the same data in the same run.

For each role and page: the status, the number of queries, the median and p95 of 20 requests after a warm-up,
the admin changelist's median and the ratio (admin median / page median: ≥ 5 is the target), and the plan of the
page's slowest query as `EXPLAIN (ANALYZE, BUFFERS)` sees it (scan types and the indexes used).

Run: DATABASE_URL=postgres://…/xingan_scale .venv/bin/python bench/pages.py   (or `make bench-pages`)
     BENCH_REQUESTS=20  BENCH_ONLY=class_list,home  (a comma-separated subset of page labels)
The database must already hold the data (manage.py seed_scale): this script only reads it, and refuses SQLite.
Logins: the first that exists of scale_<role> and the demo's <role> (league, county, institution, inspector, admin).
Target on PostgreSQL on the 2-core machine: every page p95 < 150 ms, ≥ 5× faster than the admin changelist.
"""

import os
import statistics
import sys
import time
from dataclasses import dataclass

from benchdb import start_django, verified_client

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench/pages.py measures a region-scale PostgreSQL database: set DATABASE_URL (see README).")
start_django()

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))
WARM_UP = 2
ONLY = {label for label in os.environ.get("BENCH_ONLY", "").split(",") if label}
ROLES = ("league", "county", "county2", "institution", "inspector", "admin")
TARGET_P95_MS = 150
TARGET_RATIO = 5

# URL names that are not pages to measure: actions, files, PDFs, public pages, the service worker.
NOT_PAGES = {
    "accounts:logout", "accounts:password_change", "classes:class_create", "classes:roster_template",
    "reports:statistics_pdf", "reports:statistics_xlsx", "reports:blank_form1", "reports:blank_form2_generic",
    "reports:rectification_open_items", "supervision:inspection_service_worker", "supervision:catalogue_create",
    "supervision:teacher_propose", "supervision:wish_notify", "supervision:rectification_new",
    "supervision:department_list_import", "supervision:department_list_template", "printout_lookup", "favicon.ico",
}


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    params: tuple = ()
    admin: str = ""  # the admin changelist of the same model ("app_model"), compared in the same run
    admin_params: tuple = ()


# Deep and filtered variants of the core lists; {county} is the first county the role may see.
VARIANTS = (
    Page("class_list page 500", "classes:class_list", (("page", "500"),), "classes_trainingclass", (("p", "125"),)),
    Page("class_list county", "classes:class_list", (("county", "{county}"),), "classes_trainingclass",
         (("q", "XA152201-"),)),  # the admin has no county filter: its search by the county's batch prefix
    Page("class_list search", "classes:class_list", (("q", "护理"),), "classes_trainingclass", (("q", "护理"),)),
    Page("class_list county page 50", "classes:class_list", (("county", "{county}"), ("page", "50")),
         "classes_trainingclass", (("p", "13"),)),
    Page("worklist overdue", "followups:worklist", (("overdue", "1"),)),
    Page("commendations all years", "evaluations:commendations", (("year", "all"),), "classes_trainingclass"),
)
ADMIN_OF = {
    "classes:class_list": "classes_trainingclass", "evaluations:county_queue": "classes_trainingclass",
    "evaluations:league_queue": "classes_trainingclass", "evaluations:commendations": "classes_trainingclass",
    "classes:institution_list": "classes_institution", "home": "classes_trainingclass",
}


def pages() -> list[Page]:
    """Every argument-free GET page of the urlconfs (enumerated, so a new page is measured without editing this),
    then the deep and filtered variants."""
    from django.urls import get_resolver

    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif pattern.name and not pattern.pattern.regex.groups:
                name = f"{namespace}{pattern.name}"
                if name not in NOT_PAGES and not str(pattern.pattern).startswith(("t/", "c/", "v/")):
                    found.append(Page(name.split(":")[-1], name, (), ADMIN_OF.get(name, "")))

    walk(get_resolver().url_patterns, "")
    return [page for page in found + list(VARIANTS) if not ONLY or page.label in ONLY]


def logged_in_client(user):
    """The one place that logs a role in (benchdb.verified_client: the second factor passed)."""
    return verified_client(user, HTTP_HOST="localhost", raise_request_exception=False)


def users() -> dict:
    from django.contrib.auth import get_user_model

    found = {}
    for role in ROLES:
        user = get_user_model().objects.filter(username__in=[f"scale_{role}", role], is_active=True).order_by("-username").first()
        if user is not None:
            found[role] = user
    return found


def first_county(user):
    from classes.selectors import counties_visible_to

    county = counties_visible_to(user).order_by("code").first()
    return str(county.pk) if county else ""


def url_of(page: Page, county: str, *, admin: bool = False) -> str:
    from urllib.parse import urlencode

    from django.urls import reverse

    path = reverse(f"admin:{page.admin}_changelist") if admin else reverse(page.url_name)
    params = [(key, value.format(county=county)) for key, value in (page.admin_params if admin else page.params)]
    return f"{path}?{urlencode(params)}" if params else path


def timings(client, url: str) -> tuple[int, list[float]]:
    status = 0
    for _ in range(WARM_UP):
        status = client.get(url).status_code
    measured = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(url)
        measured.append((time.perf_counter() - started) * 1000)
    return status, measured


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def slowest_query(client, url: str) -> tuple[int, float, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # The page's own reads: not the session's, not transaction control or the session's save.
    reads = [query for query in queries.captured_queries
             if query["sql"].lstrip().upper().startswith("SELECT") and "django_session" not in query["sql"]]
    if not reads:
        return len(queries), 0.0, ""
    slowest = max(reads, key=lambda query: float(query["time"]))
    return len(queries), float(slowest["time"]) * 1000, slowest["sql"]


def plan_summary(sql: str) -> str:
    """The scan nodes of the query's actual plan: "Index Scan class_start_id", "Seq Scan classes_region"…"""
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return ""
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
    except Exception as error:  # a query Django printed with literals PostgreSQL reads differently: say so, go on
        connection.rollback() if not connection.get_autocommit() else None
        return f"(EXPLAIN failed: {str(error).splitlines()[0][:60]})"
    plan = plan[0] if isinstance(plan, list) else plan
    scans = []

    def walk(node):
        if "Scan" in node["Node Type"]:
            target = node.get("Index Name") or node.get("Relation Name") or ""
            scans.append(f"{node['Node Type']} {target}({node.get('Actual Rows', 0) * node.get('Actual Loops', 1):.0f})")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    hits = plan["Plan"].get("Shared Hit Blocks", 0) + plan["Plan"].get("Shared Read Blocks", 0)
    return f"{plan['Execution Time']:.1f} ms, {hits} buffers: " + "; ".join(scans)


def main():
    from django.db import connection

    from classes.models import Enrollment, TrainingClass

    logins = users()
    print(f"database {connection.settings_dict['NAME']} on {connection.vendor}: "
          f"{TrainingClass.objects.count():,} classes, {Enrollment.objects.count():,} enrollments; "
          f"{REQUESTS} requests per page after {WARM_UP} warm-up; roles: {', '.join(logins)}")
    admin_client = logged_in_client(logins["admin"]) if "admin" in logins else None
    header = f"{'role':<12}{'page':<34}{'status':>6}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'admin p50':>10}{'ratio':>7}  ok"
    print(header)
    print("-" * len(header))
    plans, failures = [], []
    for role, user in logins.items():
        client = logged_in_client(user)
        county = first_county(user)
        for page in pages():
            url = url_of(page, county)
            status, measured = timings(client, url)
            if status >= 500:
                failures.append(f"{role} {page.label}")
                print(f"{role:<12}{page.label:<34}{status:>6}  server error", flush=True)
            if status != 200:
                continue  # a page this role may not open (404/403) or is sent elsewhere (302)
            count, slowest_ms, sql = slowest_query(client, url)
            median, high = statistics.median(measured), p95(measured)
            admin_median, ratio = "", ""
            if page.admin and admin_client is not None:
                # Measured right after the page, so that both see the same load on a shared machine.
                admin_status, admin_measured = timings(admin_client, url_of(page, county, admin=True))
                if admin_status == 200:
                    admin_median = f"{statistics.median(admin_measured):.1f}"
                    ratio = f"{statistics.median(admin_measured) / median:.1f}"
            meets = high < TARGET_P95_MS and (not ratio or float(ratio) >= TARGET_RATIO)
            if not meets:
                failures.append(f"{role} {page.label}")
            print(f"{role:<12}{page.label:<34}{status:>6}{count:>8}{median:>9.1f}{high:>9.1f}{admin_median:>10}"
                  f"{ratio:>7}  {'yes' if meets else 'NO'}", flush=True)
            plans.append((role, page.label, slowest_ms, plan_summary(sql)))
    print("\nSlowest query of each page, EXPLAIN (ANALYZE, BUFFERS): execution time, buffers, scans (rows)")
    for role, label, slowest_ms, summary in plans:
        print(f"{role:<12}{label:<34}{slowest_ms:7.1f} ms  {summary}")
    print(f"\n{len(plans) - len(failures)} of {len(plans)} pages meet the target (p95 < {TARGET_P95_MS} ms, "
          f"≥ {TARGET_RATIO}× the admin changelist)" + (f"; not yet: {', '.join(failures)}" if failures else ""))


if __name__ == "__main__":
    main()
