"""Counting rules of daily attendance (policy §8.3). Pure: no database, no Django.

Decision (the portal has no timetable): a class's training days are the calendar days of its registered period,
start to end inclusive. While a class is in training, only the days before today count, so a trainee is not
listed in the morning for a day that has not been taught yet.
"""

import random
from datetime import date, timedelta


def training_days_through(start: date, end: date, cutoff: date) -> int:
    """Registered training days from ``start`` up to and including ``min(end, cutoff)``; 0 before the start."""
    last = min(end, cutoff)
    return max(0, (last - start).days + 1)


def attendance_cutoff(start: date, end: date, today: date, *, is_started: bool, is_finished: bool) -> date:
    """The last day that counts: the end date for a finished class, yesterday (at most the end) for a class in
    training, and the day before the start for a class not started yet (no training days)."""
    if not is_started:
        return start - timedelta(days=1)
    return end if is_finished else min(end, today - timedelta(days=1))


def attended_hours(class_hours: int, attended_person_days: int, expected_person_days: int) -> float | None:
    """Registered hours scaled by the share of trainee-days attended; None without expected days."""
    if expected_person_days <= 0:
        return None
    if attended_person_days < 0 or attended_person_days > expected_person_days:
        raise ValueError("attended person-days must lie between 0 and the expected person-days")
    return class_hours * attended_person_days / expected_person_days


def spot_check_order(candidates: list[tuple[int, int]], seed: str, size: int) -> list[int]:
    """Up to ``size`` check-ins drawn at random, at most one per trainee, re-derivable by anyone from the
    candidates and the seed.

    ``candidates`` are (check-in id, trainee's enrollment id) pairs. They are shuffled with random.Random(seed)
    in sorted order; walking the shuffle, a check-in is drawn unless its trainee already was, so a spot check
    sees as many different trainees as it can."""
    if size < 0:
        raise ValueError("size must not be negative")
    shuffled = random.Random(seed).sample(sorted(tuple(pair) for pair in candidates), len(candidates))
    drawn, seen = [], set()
    for check_in_id, enrollment_id in shuffled:
        if len(drawn) == size:
            break
        if enrollment_id not in seen:
            seen.add(enrollment_id)
            drawn.append(check_in_id)
    return drawn
