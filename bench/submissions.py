"""Load on the trainee's public 附表2 form (/t/<token>/) through gunicorn, PostgreSQL and Redis (issue #12, item 4).

Run: .venv/bin/python bench/submissions.py [--duration 60] [--rates 25,50,100,150,200] [--workers 4]
     [--worker-class sync|gthread --threads 4]        (or: make bench-submissions)
Needs DATABASE_URL (PostgreSQL), CACHE_URL and CELERY_BROKER_URL (Redis) from the environment. The script creates
its own database beside DATABASE_URL's (<name>_bench_submissions), migrates and seeds it, serves it with gunicorn
on 127.0.0.1:8119 (BENCH_PORT), and drops it at the end; the database DATABASE_URL names is never touched.

Seeded: classes in training (a roster of --class-size distinct trainees with valid GB 11643 ID numbers each) and
one open link per class. Each simulated phone GETs the form (the page sets the CSRF cookie and token) and POSTs
one trainee's 附表2 on a fresh connection, as a phone on the classroom Wi-Fi does. The generator is open-loop:
phones start on schedule at the offered rate whatever the server's latency, at most --in-flight at once (a
phone that cannot start on time is counted as "late"). A share of phones (--duplicates) re-submits a trainee
whose form was already accepted: each must be refused with the "already submitted" message.

Printed per step: offered and sustained forms/s, POST latency p50/p95/p99 (from sending the POST), the phone's
whole time from its scheduled start (GET + POST, queueing included), the web workers' CPU time per answered
phone (GET + POST; the figure that does not depend on what else the machine runs: two idle cores serve at most
about 2000 / that many phones a second, less the database's share), PostgreSQL's CPU per phone (every "postgres"
process) and this generator's own (it runs on the same cores), and errors by kind. The rates stop rising
once more than a fifth of a step's phones fail or start late. At the end the rows
are counted: every accepted form exactly once, every duplicate refused, nothing lost or added.
Target (issue #12): >= 100 forms/s sustained with POST p95 < 300 ms on the 2-core machine.
"""

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
ACCEPTED_TEXT = "提交成功"
ALREADY_SUBMITTED_TEXT = "已提交过有效的评价表"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = 10.0


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="25,50,100,150,200", help="offered forms per second, one step each")
    parser.add_argument("--duration", type=int, default=20, help="seconds per step (at most 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread)")
    parser.add_argument("--class-size", type=int, default=50)
    parser.add_argument("--duplicates", type=float, default=0.05, help="share of phones re-submitting a trainee")
    parser.add_argument("--in-flight", type=int, default=64, help="phones under way at once, at most")
    parser.add_argument("--warm-classes", action="store_true",
                        help="open every class's form once before the first step (else each class's first phone renders it)")
    options = parser.parse_args()
    options.rates = [int(rate) for rate in options.rates.split(",")]
    if not 1 <= options.duration <= 60:
        parser.error("--duration: 1 to 60 seconds a step")
    return options


# The bench's own database -----------------------------------------------------------------------------------


def bench_database_url() -> tuple[str, str, dict]:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    config = dj_database_url.parse(url) if url else {}
    if "postgresql" not in config.get("ENGINE", ""):
        sys.exit("bench/submissions.py needs DATABASE_URL pointing at PostgreSQL (and CACHE_URL, CELERY_BROKER_URL at Redis).")
    for name in ("CACHE_URL", "CELERY_BROKER_URL"):
        if not os.environ.get(name, "").startswith("redis://"):
            sys.exit(f"bench/submissions.py needs {name} pointing at Redis.")
    name = f"{config['NAME']}_bench_submissions"
    return url.rsplit("/", 1)[0] + "/" + name, name, config


def admin_connection(config):
    import psycopg

    return psycopg.connect(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
                           password=config["PASSWORD"] or None, dbname="postgres", autocommit=True)


def database_recreate(config, name: str) -> None:
    with admin_connection(config) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def database_drop(config, name: str) -> None:
    with admin_connection(config) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Seeding -------------------------------------------------------------------------------------------------------


def seed(*, classes: int, class_size: int) -> list[tuple[str, str, str]]:
    """Classes in training with distinct trainees and an open link each; returns (token, name, id_number) per
    trainee, shuffled so that consecutive phones belong to different classes."""
    from accounts.models import Role, User
    from classes.demo_data import make_mobile, make_name, make_resident_id
    from classes.models import Enrollment, Institution, Occupation, Region, Trainee, TraineeCategory, TrainingClass
    from evaluations.models import EvaluationLink

    rng = random.Random(2026)
    county = Region.objects.get(code="152201")
    occupation = Occupation.objects.create(code="BENCH", name="养老护理员", level="4",
                                           training_type="employment_skills", subsidy_per_person=1600)
    institution = Institution.objects.create(name="基准测试学校", credit_code="52152201MJ00000018", county=county,
                                             contact_person="x", contact_phone="13800000000")
    officer = User.objects.create(username="bench-county", role=Role.COUNTY, region=county)
    category = TraineeCategory.objects.get(code="rural_migrant")
    today = date.today()
    training_classes = TrainingClass.objects.bulk_create([
        TrainingClass(batch_number=f"BENCH-{number:05d}", institution=institution, occupation=occupation,
                      category=occupation.training_type, start_date=today - timedelta(days=5),
                      end_date=today + timedelta(days=2), registered_headcount=class_size, class_hours=90,
                      location="培训基地", status=TrainingClass.Status.IN_TRAINING)
        for number in range(classes)
    ])
    links = EvaluationLink.objects.bulk_create([
        EvaluationLink(training_class=training_class, token=secrets.token_urlsafe(32), created_by=officer)
        for training_class in training_classes
    ])
    seen: set[str] = set()
    trainees, roster = [], []
    for link in links:
        for _ in range(class_size):
            number = make_resident_id(rng, area_code=county.code)
            while number in seen:
                number = make_resident_id(rng, area_code=county.code)
            seen.add(number)
            name = make_name(rng)
            trainees.append(Trainee(id_number=number, name=name, gender="male" if int(number[16]) % 2 else "female",
                                    birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                                    category=category))
            roster.append((link, name, make_mobile(rng)))
    Trainee.objects.bulk_create(trainees, batch_size=5000)
    Enrollment.objects.bulk_create([
        Enrollment(training_class=link.training_class, trainee=trainee, roster_name=name, phone=phone)
        for trainee, (link, name, phone) in zip(trainees, roster)
    ], batch_size=5000)
    phones = [(link.token, trainee.name, trainee.id_number) for trainee, (link, _name, _phone) in zip(trainees, roster)]
    rng.shuffle(phones)
    return phones


def answers_of() -> dict:
    from evaluations.items import TRAINEE_ITEM_FIELDS

    today = date.today()
    answers = {name: "good" for name in TRAINEE_ITEM_FIELDS}
    answers.update(overall="excellent", suggestions="", completed_training="true",
                   attended_from=(today - timedelta(days=5)).isoformat(), attended_to=(today + timedelta(days=2)).isoformat(),
                   attended_amount="90", attended_unit="hours", organiser_name="基准测试学校", occupation_name="养老护理员",
                   is_confirmed="true", signed_on=today.isoformat())
    return answers


# The server ----------------------------------------------------------------------------------------------------


def gunicorn_start(options, port: int, environment: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "xingan_training.wsgi", "--bind", f"{HOST}:{port}",
               "--workers", str(options.workers), "--worker-class", options.worker_class, "--backlog", "2048",
               "--log-level", "warning"]
    if options.worker_class == "gthread":
        command += ["--threads", str(options.threads)]
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/t/warm-up/")
            connection.getresponse().read()
            return server
        except OSError:
            if server.poll() is not None:
                sys.exit("gunicorn did not start (is the port in use?)")
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not answer within 60 s")


def warm_up(port: int, tokens: list[str]) -> None:
    """Each worker imports its templates and opens its database connection before the first step; with
    --warm-classes, every class's form is opened once, as its first trainee would (the empty form's fields are then
    in the shared cache, as they are while a class is filling in the form)."""
    for token in tokens:
        connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        connection.request("GET", f"/t/{token}/")
        connection.getresponse().read()
        connection.close()


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """User + system CPU time of gunicorn's workers so far (Linux /proc): what the web tier spent, whatever share
    of the machine the other processes left it."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def named_processes_cpu_seconds(name: str) -> float:
    """User + system CPU time so far of every process whose command is ``name`` (PostgreSQL's backends are all
    "postgres", Redis is "redis-server"): with the web workers' and the generator's own, where a phone's CPU went."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            command, rest = stat.read_text().split(" (", 1)[1].rsplit(")", 1)
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if command == name:
            fields = rest.split()
            # utime, stime, and those of its exited children (PostgreSQL's backends of closed connections end up in
            # the postmaster's).
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return total / ticks


def cpu_account() -> dict[str, float]:
    return {"database": named_processes_cpu_seconds("postgres"), "redis": named_processes_cpu_seconds("redis-server"),
            "generator": time.process_time()}


# One phone ------------------------------------------------------------------------------------------------------


class Phone:
    """GET the form, then POST it on the same connection when the server keeps it alive, else on a new one."""

    def __init__(self, port: int, answers: dict):
        self.port = port
        self.answers = answers

    def _connection(self):
        return http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)

    def submit(self, token: str, name: str, id_number: str) -> tuple[str, float | None]:
        """Returns (outcome, POST latency in seconds)."""
        path = f"/t/{token}/"
        connection = self._connection()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            page = response.read().decode()
            if response.status != 200:
                return f"GET http {response.status}", None
            match = CSRF_INPUT.search(page)
            cookie = next((value.split(";", 1)[0] for header, value in response.getheaders()
                           if header.lower() == "set-cookie" and value.startswith("csrftoken=")), None)
            if not match or not cookie:
                return "GET without CSRF token", None
            if response.will_close:
                connection.close()
                connection = self._connection()
            body = urlencode({**self.answers, "name": name, "id_number": id_number,
                              "csrfmiddlewaretoken": match.group(1)})
            started = time.perf_counter()
            connection.request("POST", path, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                "Referer": f"http://{HOST}:{self.port}{path}",
            })
            response = connection.getresponse()
            page = response.read().decode()
            latency = time.perf_counter() - started
            if response.status == 200 and ACCEPTED_TEXT in page:
                return "accepted", latency
            if response.status == 400 and ALREADY_SUBMITTED_TEXT in page:
                return "refused as already submitted", latency
            return f"POST http {response.status}", latency
        except TimeoutError:
            return "timeout", None
        except (ConnectionError, http.client.HTTPException, OSError) as error:
            return f"connection: {type(error).__name__}", None
        finally:
            connection.close()


# Steps ------------------------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Ledger:
    """What every phone saw, across steps, for the final count."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accepted: list[tuple] = []  # (token, name, ID number) of each phone the server told "提交成功"
        self.duplicates_sent = 0
        self.duplicates_refused = 0
        self.duplicates_accepted: list[tuple] = []
        self.unanswered: list[str] = []  # timeouts and broken connections: the server may or may not have saved


def run_step(*, rate: int, duration: int, phones: list, port: int, answers: dict, ledger: Ledger, options,
             rng: random.Random, server: subprocess.Popen) -> dict:
    phone = Phone(port, answers)
    outcomes: Counter = Counter()
    post_latencies: list[float] = []
    whole_times: list[float] = []
    in_flight = threading.BoundedSemaphore(options.in_flight)
    late = 0
    completed_at: list[float] = []

    def one(scheduled: float, trainee, is_duplicate: bool):
        try:
            outcome, latency = phone.submit(*trainee)
            finished = time.perf_counter()
            with ledger.lock:
                outcomes[outcome] += 1
                if latency is not None:
                    post_latencies.append(latency)
                whole_times.append(finished - scheduled)
                if outcome == "accepted":
                    completed_at.append(finished)
                    (ledger.duplicates_accepted if is_duplicate else ledger.accepted).append(trainee)
                elif outcome == "refused as already submitted" and is_duplicate:
                    ledger.duplicates_refused += 1
                elif outcome.startswith(("timeout", "connection")):
                    ledger.unanswered.append(trainee[2])
        finally:
            in_flight.release()

    total = rate * duration
    cpu_before = server_cpu_seconds(server)
    others_before = cpu_account()
    with ThreadPoolExecutor(max_workers=options.in_flight) as pool:
        start = time.perf_counter()
        for index in range(total):
            scheduled = start + index / rate
            pause = scheduled - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            if not in_flight.acquire(timeout=max(0.0, scheduled + 1.0 / rate - time.perf_counter())):
                late += 1
                # Bounded: a step never runs past its duration; phones that could not start by then are "not started".
                if not in_flight.acquire(timeout=max(0.0, start + duration - time.perf_counter())):
                    with ledger.lock:
                        outcomes["not started (server saturated)"] += total - index
                    break
            with ledger.lock:
                earlier = ledger.accepted[-2000:]
            is_duplicate = bool(earlier) and rng.random() < options.duplicates
            if is_duplicate:
                trainee = rng.choice(earlier)
                with ledger.lock:
                    ledger.duplicates_sent += 1
            else:
                trainee = phones.pop()
            pool.submit(one, scheduled, trainee, is_duplicate)
        dispatched = time.perf_counter() - start
    elapsed = time.perf_counter() - start
    cpu = server_cpu_seconds(server) - cpu_before
    others = {part: seconds - others_before[part] for part, seconds in cpu_account().items()}
    answered = sum(outcomes[kind] for kind in ("accepted", "refused as already submitted"))
    errors = {kind: count for kind, count in outcomes.items() if kind not in ("accepted", "refused as already submitted")}
    return {
        "offered": total / dispatched if dispatched else float("nan"),
        "sustained": answered / elapsed,
        "accepted": outcomes["accepted"], "refused": outcomes["refused as already submitted"],
        "p50": percentile(post_latencies, 0.50), "p95": percentile(post_latencies, 0.95),
        "p99": percentile(post_latencies, 0.99), "whole_p95": percentile(whole_times, 0.95),
        "late": late, "errors": errors, "elapsed": elapsed, "phones": total,
        "cpu_ms": 1000 * cpu / answered if answered else float("nan"),
        **{f"{part}_ms": 1000 * seconds / answered if answered else float("nan") for part, seconds in others.items()},
    }


def count_rows(ledger: Ledger) -> dict:
    from django.db.models import Count

    from evaluations.models import TraineeEvaluation

    rows = TraineeEvaluation.objects.values_list("enrollment__trainee__id_number", flat=True)
    saved = Counter(rows)
    accepted = Counter(trainee[2] for trainee in ledger.accepted + ledger.duplicates_accepted)
    doubled = TraineeEvaluation.objects.values("enrollment").annotate(forms=Count("id")).filter(forms__gt=1).count()
    return {
        "rows": sum(saved.values()),
        "accepted": sum(accepted.values()),
        "accepted twice": sum(1 for count in accepted.values() if count > 1),
        "trainees with more than one row": doubled,
        "accepted but no row (lost)": sum(1 for number in accepted if number not in saved),
        "rows nobody was told about": sum(1 for number in saved if number not in accepted and number not in ledger.unanswered),
        "rows of unanswered phones (timeout)": sum(1 for number in saved if number in ledger.unanswered and number not in accepted),
    }


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    options = arguments()
    url, name, config = bench_database_url()
    port = int(os.environ.get("BENCH_PORT", "8119"))
    print(f"Database {name} (created for this run), gunicorn {options.workers} x {options.worker_class}"
          + (f" x {options.threads} threads" if options.worker_class == "gthread" else "")
          + f" on {HOST}:{port}; {os.cpu_count()} CPUs; load average before: {load_average()}", flush=True)
    database_recreate(config, name)
    server = None
    try:
        os.environ["DATABASE_URL"] = url
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xingan_training.settings")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django

        django.setup()
        from django.core.cache import cache
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        expected = sum(options.rates) * options.duration
        classes = -(-int(expected * 1.02 + options.class_size) // options.class_size)
        phones = seed(classes=classes, class_size=options.class_size)
        print(f"Seeded {classes} classes, {len(phones)} trainees, {classes} links in {time.perf_counter() - started:.0f} s",
              flush=True)
        cache.clear()  # fresh throttling counters (the bench's own CACHE_URL)
        server = gunicorn_start(options, port, {**os.environ, "DATABASE_URL": url})
        warm_up(port, sorted({phone[0] for phone in (phones if options.warm_classes else phones[:50])}))
        ledger = Ledger()
        rng = random.Random(12)
        answers = answers_of()
        print(f"\n{'offered/s':>9} {'sustained/s':>11} {'accepted':>8} {'dup refused':>11} {'p50 ms':>7} {'p95 ms':>7} "
              f"{'p99 ms':>7} {'phone p95':>9} {'late':>5} {'CPU ms':>7} {'PG ms':>6} {'gen ms':>6}  load avg        errors")
        for rate in options.rates:
            step = run_step(rate=rate, duration=options.duration, phones=phones, port=port, answers=answers,
                            ledger=ledger, options=options, rng=rng, server=server)
            errors = ", ".join(f"{kind}: {count}" for kind, count in sorted(step["errors"].items())) or "none"
            print(f"{step['offered']:9.1f} {step['sustained']:11.1f} {step['accepted']:8d} {step['refused']:11d} "
                  f"{step['p50'] * 1000:7.0f} {step['p95'] * 1000:7.0f} {step['p99'] * 1000:7.0f} "
                  f"{step['whole_p95'] * 1000:8.0f}ms {step['late']:5d} {step['cpu_ms']:7.1f} {step['database_ms']:6.1f} "
                  f"{step['generator_ms']:6.1f}  {load_average():<15} {errors}",
                  flush=True)
            if sum(step["errors"].values()) + step["late"] > step["phones"] // 5:
                print("More than a fifth of the phones failed or could not start on time (all --in-flight phones "
                      "waiting): the server is saturated, higher rates are not offered.")
                break
        print(f"\nDuplicates: {ledger.duplicates_sent} sent, {ledger.duplicates_refused} refused with the message, "
              f"{len(ledger.duplicates_accepted)} accepted (must be 0), the rest unanswered (see errors)")
        figures = count_rows(ledger)
        print("Rows: " + "; ".join(f"{label} {value}" for label, value in figures.items()))
        from redis import Redis

        broker = Redis.from_url(os.environ["CELERY_BROKER_URL"])
        print(f"Fraud-signal recomputes queued on commit (one per class and 20 s, not per form; no worker ran): {broker.llen('celery')}")
        broker.delete("celery")
        # A phone that timed out may or may not have been saved (the server finishes what it took in): its row is
        # counted apart, and is neither lost nor extra.
        healthy = (figures["rows"] == figures["accepted"] + figures["rows of unanswered phones (timeout)"]
                   and not figures["accepted but no row (lost)"] and not figures["rows nobody was told about"]
                   and not figures["trainees with more than one row"] and not figures["accepted twice"]
                   and not ledger.duplicates_accepted)
        print("Row check: " + ("every accepted form saved exactly once, every duplicate refused, nothing lost"
                               if healthy else "FAILED"))
        return 0 if healthy else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        database_drop(config, name)


if __name__ == "__main__":
    sys.exit(main())
