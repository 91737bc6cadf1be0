"""Times the two background sweeps at region scale, each run by two worker processes at once, then run again
(which must find nothing): the follow-up sampling sweep (beat, every 600 s) and the fraud-signal sweep (nightly).
Prints the duration, the rows each worker touched, each worker's peak RSS, and checks that nothing was done twice.

Run: .venv/bin/python bench/sweeps.py [--classes N]
  - With --template NAME (or SCALE_TEMPLATE=NAME), that region-scale database (manage.py seed_scale) is copied with
    `createdb -T NAME -S FILE_COPY <DATABASE_URL's name>_scale` (never used directly), migrated, and swept; the
    copy is kept for the next run (--drop-copy removes it).
  - Otherwise a throwaway database is seeded with N classes (default 10,000) by bench/signals.py's seed (rosters,
    附表2, attendance, follow-up calls, teachers, planted fraud cases).
Targets (issue #12): each sweep finishes within its interval at 100,000 classes; a worker's memory does not grow
with the number of classes (batches of followups.services.SWEEP_BATCH / supervision.fraud_signals.SWEEP_BATCH).
"""

import argparse
import multiprocessing
import os
import random
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from benchdb import start_django, throwaway_database

def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=int, default=10_000, help="classes to seed when no region-scale copy is used")
    parser.add_argument("--template", help="region-scale database to copy (default: $SCALE_TEMPLATE)")
    parser.add_argument("--drop-copy", action="store_true", help="drop the copy at the end")
    return parser.parse_args()


def template_name(options) -> str | None:
    return options.template or os.environ.get("SCALE_TEMPLATE") or None


@contextmanager
def scale_copy(template: str, drop: bool):
    """A copy of the region-scale database beside DATABASE_URL's, migrated to this branch."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    config = dj_database_url.parse(url)
    copy = f"{config['NAME']}_scale"
    common = ["-h", config["HOST"] or "127.0.0.1", "-p", str(config["PORT"] or 5432), "-U", config["USER"] or "postgres"]
    exists = subprocess.run(["psql", *common, "-tAc", f"select 1 from pg_database where datname='{copy}'", "postgres"],
                            capture_output=True, text=True, check=True).stdout.strip() == "1"
    if not exists:
        started = time.perf_counter()
        subprocess.run(["createdb", *common, "-T", template, "-S", "FILE_COPY", copy], check=True)
        print(f"copied {template} to {copy} in {time.perf_counter() - started:.0f} s")
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + copy
    start_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        yield
    finally:
        if drop:
            from django.db import connections

            connections.close_all()
            subprocess.run(["dropdb", *common, copy], check=True)


def _in_worker(job: str) -> tuple[object, float, int]:
    """One worker process: runs the sweep, returns (its result, seconds, its peak RSS above its start in MiB)."""
    from django.db import connections

    from followups.services import followup_samples_sweep
    from supervision.fraud_signals import fraud_signals_sweep

    connections.close_all()  # never share the parent's connection
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")  # the peak (VmHWM) restarts here: the forked worker's own growth is what counts
    baseline = _status_kib("VmRSS:")
    started = time.perf_counter()
    result = followup_samples_sweep() if job == "followups" else fraud_signals_sweep()
    elapsed = time.perf_counter() - started
    connections.close_all()
    return result, elapsed, (_status_kib("VmHWM:") - baseline) // 1024


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith(field))


def two_workers(job: str) -> tuple[list, float]:
    from django.db import connections

    connections.close_all()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        results = pool.map(_in_worker, [job, job])
    return results, time.perf_counter() - started


def report(label: str, results: list, elapsed: float, describe) -> None:
    workers = "; ".join(f"worker {number}: {describe(result)} in {seconds:.1f} s, peak RSS {rss} MiB"
                        for number, (result, seconds, rss) in enumerate(results, 1))
    print(f"{label:<34} {elapsed:8.1f} s   {workers}", flush=True)


def sweep_both() -> None:
    from django.db.models import Count

    from classes.models import TrainingClass
    from followups.models import FollowupItem, FollowupSample
    from supervision.models import ClassSignalCheck, FraudSignal

    print(f"classes {TrainingClass.objects.count():,}; samples before {FollowupSample.objects.count():,}; "
          f"fraud signals before {FraudSignal.objects.count():,}; load average {os.getloadavg()[0]:.2f}", flush=True)
    items_before = FollowupItem.objects.count()
    for round_name in ("first run, two workers at once", "second run (must draw nothing)"):
        results, elapsed = two_workers("followups")
        report(f"follow-up sweep, {round_name}", results, elapsed, lambda drawn: f"{drawn:,} samples drawn")
    doubled = FollowupSample.objects.values("training_class").annotate(n=Count("id")).filter(n__gt=1).count()
    print(f"  follow-up items created {FollowupItem.objects.count() - items_before:,}; classes sampled twice: {doubled}")
    for round_name in ("first run, two workers at once", "second run (must create nothing)"):
        results, elapsed = two_workers("signals")
        report(f"fraud-signal sweep, {round_name}", results, elapsed,
               lambda result: f"{result.classes:,} classes, {result.created:,} signals created")
    checked = ClassSignalCheck.objects.filter(checked_at__isnull=False).count()
    print(f"  classes checked {checked:,}; fraud signals now {FraudSignal.objects.count():,} "
          f"(one per kind, class and key by constraint)")


def main() -> None:
    options = arguments()
    template = template_name(options)
    if template:
        context = scale_copy(template, options.drop_copy)
    else:
        start_django()
        context = throwaway_database()
    with context:
        if not template:
            sys.path.insert(0, str(Path(__file__).parent))
            from signals import seed

            from django.db import connection

            started = time.perf_counter()
            counts = seed(options.classes, random.Random(7))
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(f"seeded {counts} in {time.perf_counter() - started:.0f} s")
        sweep_both()


if __name__ == "__main__":
    main()
