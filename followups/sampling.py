"""Phone follow-up sampling of policy §5 (S1 一(二)). Pure: no database, no Django."""

import calendar
from datetime import date

# At least 20% of the enrolled trainees are phoned: ⌈N / 5⌉.
SAMPLE_DENOMINATOR = 5


def sample_size(enrolled: int) -> int:
    if isinstance(enrolled, bool) or not isinstance(enrolled, int):
        raise ValueError(f"enrolled must be an integer, got {enrolled!r}")
    if enrolled < 0:
        raise ValueError(f"enrolled must not be negative, got {enrolled}")
    return -(-enrolled // SAMPLE_DENOMINATOR)


def followup_due_date(assessment_end: date) -> date:
    """One calendar month after the assessment ended, clipped to the month's last day (01-31 → 02-28)."""
    year, month = (assessment_end.year + 1, 1) if assessment_end.month == 12 else (assessment_end.year, assessment_end.month + 1)
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(assessment_end.day, last_day))


def draw_order(candidates: list[int], seed: str) -> list[int]:
    """A uniformly random order of the candidates, re-derivable by anyone from the seed.

    The first sample_size(len(candidates)) are phoned; the rest, in order, replace unreachable trainees.
    """
    import random

    ordered = sorted(candidates)
    return random.Random(seed).sample(ordered, len(ordered))
