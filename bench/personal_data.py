"""Cost of personal data at rest: encrypt, decrypt and blind-index one value; write and read trainees through the
encrypted fields; re-encrypt every row under a new key (the rotation command).

Run: .venv/bin/python bench/personal_data.py   (DATABASE_URL for PostgreSQL; default a throwaway SQLite file)
Targets: well under 100 µs a value; the rotation of 3 million rows (region scale) within a maintenance night.
"""

import io
import os
import random
import time
from datetime import date

from benchdb import start_django, throwaway_database

start_django()

VALUES = int(os.environ.get("BENCH_VALUES", "100000"))
TRAINEES = int(os.environ.get("BENCH_TRAINEES", "50000"))


def per_value(label: str, function, values: list[str]) -> list:
    started = time.perf_counter()
    results = [function(value) for value in values]
    elapsed = time.perf_counter() - started
    print(f"{label:<40} {elapsed / len(values) * 1e6:7.1f} µs a value ({len(values)} values)")
    return results


def main() -> None:
    from django.conf import settings
    from django.core.management import call_command
    from simple_history.utils import bulk_create_with_history

    from classes.demo_data import make_resident_id
    from classes.models import Trainee, TraineeCategory
    from xingan_training import personal_data

    rng = random.Random(3)
    numbers = [make_resident_id(rng) for _ in range(VALUES)]
    sealed = per_value("encrypt", lambda value: personal_data.encrypt(value, personal_data.RESIDENT_ID), numbers)
    per_value("decrypt", lambda value: personal_data.decrypt(value, personal_data.RESIDENT_ID), sealed)
    per_value("blind index", personal_data.id_number_digest, numbers)

    with throwaway_database():
        category = TraineeCategory.objects.first()
        people = list(dict.fromkeys(numbers))[:TRAINEES]
        started = time.perf_counter()
        bulk_create_with_history(
            [Trainee(id_number=number, name="张三", gender="male", birth_date=date(1990, 1, 1), category=category)
             for number in people], Trainee, batch_size=2000)
        print(f"{'write trainees (+ history), bulk_create':<40} {time.perf_counter() - started:7.2f} s ({len(people)} rows)")
        started = time.perf_counter()
        read = list(Trainee.objects.values_list("id_number", flat=True))
        print(f"{'read every trainee ID number':<40} {time.perf_counter() - started:7.2f} s ({len(read)} rows)")
        started = time.perf_counter()
        found = Trainee.objects.filter(id_number_digest=personal_data.id_number_digest(people[-1])).get()
        print(f"{'exact lookup by digest':<40} {(time.perf_counter() - started) * 1000:7.2f} ms ({found.pk})")

        settings.FIELD_ENCRYPTION_KEYS = {"bench2": os.urandom(32), **settings.FIELD_ENCRYPTION_KEYS}
        started = time.perf_counter()
        call_command("reencrypt_personal_data", stdout=io.StringIO())
        elapsed = time.perf_counter() - started
        rows = 2 * len(people)  # the trainees and their history rows
        print(f"{'reencrypt_personal_data (new key)':<40} {elapsed:7.2f} s ({rows} rows, "
              f"{rows / elapsed:,.0f} rows/s: 3M trainees + history ≈ {6_000_000 / (rows / elapsed) / 60:.0f} min)")


if __name__ == "__main__":
    main()
