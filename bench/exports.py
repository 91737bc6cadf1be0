"""Times a list's Excel export at 100,000 rows and measures its peak memory: the class list of a league with
100,000 classes, exported by the worker (reports/exports through GeneratedDocument, write-only openpyxl,
rows read in chunks), and the inline path at settings.EXPORT_INLINE_MAX_ROWS.

Run: .venv/bin/python bench/exports.py [--naive]   (DATABASE_URL when set, else a throwaway SQLite file)
--naive also builds the same sheet the ordinary way (openpyxl in memory, classes.spreadsheets) for comparison.
Targets: 100,000 rows under 3 minutes in the worker with peak memory under 100 MiB above the process's
baseline (it does not grow with the rows); the inline threshold (EXPORT_INLINE_MAX_ROWS) within about 2 s.
"""

import os
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta

from benchdb import start_django, throwaway_database

os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp())  # the generated file goes to a throwaway folder
os.environ.setdefault("CELERY_BROKER_URL", "memory://")  # the bench runs the task itself; no message leaves
start_django()

ROWS = 100_000
BATCH = 5_000


def rss_peak_reset() -> None:
    """Linux: resets the process's peak RSS (VmHWM), so the next reading is this step's own peak."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def rss_kib(field: str) -> int:
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith(field))


def measured(label: str, work):
    """Runs ``work`` twice: timed alone, then under tracemalloc for the Python heap's peak; the RSS peak is
    the process's high-water mark during the timed run, above the RSS it started from."""
    rss_peak_reset()
    baseline = rss_kib("VmRSS:")
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    rss_peak = rss_kib("VmHWM:") - baseline
    tracemalloc.start()
    work()
    _current, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<46} {elapsed:7.2f} s   heap peak {heap_peak / 2**20:7.1f} MiB   RSS peak +{rss_peak / 1024:6.1f} MiB")
    return result


def make_classes(count: int):
    from accounts.models import Role, User
    from classes.models import Institution, Occupation, Region, TrainingClass

    occupation = Occupation.objects.create(code="BENCH", name="养老护理员", level="4",
                                           training_type="employment_skills", subsidy_per_person=1600)
    counties = list(Region.objects.filter(level="county").order_by("code"))
    institutions = []
    for index, county in enumerate(counties):
        institution = Institution.objects.create(
            name=f"基准测试学校{index}", credit_code=f"52{county.code}MJ{index:07d}"[:17] + "8", county=county,
            contact_person="x", contact_phone="13800000000",
        )
        institutions.append(institution)
    start = date(2020, 1, 6)
    pending = []
    for number in range(count):
        day = start + timedelta(days=number % 2000)
        pending.append(TrainingClass(
            batch_number=f"BENCH-{number:06d}", institution=institutions[number % len(institutions)], occupation=occupation,
            category="employment_skills", start_date=day, end_date=day + timedelta(days=14), registered_headcount=40,
            class_hours=90, location=f"培训基地{number % 97}号教室", status="finished",
        ))
        if len(pending) == BATCH:
            TrainingClass.objects.bulk_create(pending)
            pending = []
    TrainingClass.objects.bulk_create(pending)
    return User.objects.create(username="bench-league", role=Role.LEAGUE, region=Region.objects.get(code="152200"))


def run(naive: bool) -> None:
    from django.conf import settings
    from django.db import connection
    from django.http import QueryDict
    from openpyxl import load_workbook

    from reports.exports.registry import EXPORTS
    from reports.exports.services import list_export_write
    from reports.services import generated_document_render, list_export_document_request

    started = time.perf_counter()
    league = make_classes(ROWS)
    print(f"database: {connection.vendor}; {ROWS:,} classes created in {time.perf_counter() - started:.1f} s")
    spec = EXPORTS["classes"]

    def worker():
        document = list_export_document_request(actor=league, spec=spec, params=QueryDict())
        document = generated_document_render(document_id=document.pk)
        assert document.status == "done" and document.pages_done == ROWS, document.error_message
        return document

    document = measured(f"class list, {ROWS:,} rows, worker (write-only)", worker)
    with document.file.open("rb") as handle:
        read_back = sum(1 for _row in load_workbook(handle, read_only=True).active.iter_rows(min_row=2, values_only=True))
    assert read_back == ROWS
    print(f"{'':<46} file {document.file.size / 2**20:.1f} MiB, {read_back:,} rows read back")

    inline_rows = settings.EXPORT_INLINE_MAX_ROWS
    params = QueryDict(mutable=True)
    params["start_to"] = (date(2020, 1, 6) + timedelta(days=inline_rows * 2000 // ROWS - 1)).isoformat()
    rows = spec.rows(league, params)
    print(f"{'':<46} inline filter selects {rows.count():,} rows")
    measured(f"class list, {rows.count():,} rows, inline (request)",
             lambda: list_export_write(spec=spec, user=league, rows=spec.rows(league, params), target=tempfile.TemporaryFile(), reveal=False))

    if naive:
        from classes.spreadsheets import build_workbook

        def in_memory():
            headers = [column.header for column in spec.columns_for(league)]
            columns = spec.columns_for(league)
            rows = [[column.value(item) for column in columns] for item in spec.rows(league, QueryDict())]
            return build_workbook(title=spec.title, headers=headers, rows=rows).save(tempfile.TemporaryFile())

        measured(f"class list, {ROWS:,} rows, in memory (for comparison)", in_memory)
    print("targets: 100,000 rows under 3 min in the worker and under 100 MiB above baseline; inline about 2 s")


def main():
    with throwaway_database():
        run(naive="--naive" in sys.argv)


if __name__ == "__main__":
    main()
