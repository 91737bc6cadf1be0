"""The supervision rules of policy.md §8 (S2, the region's 2024 notice). Pure: no database, no Django.

Like evaluations/rules.py they follow policy §1: exact integer comparisons (``part * 100 >= pct * whole``),
None where the denominator is zero, ValueError for a negative count or a part larger than its whole.
"""

from collections.abc import Iterable
from datetime import date

# §8.2 Decision (国办发〔2019〕24号): subsidised training at most 3 times a calendar year per person.
MAX_SUBSIDISED_CLASSES_PER_YEAR = 3
# §8.3 Decision: a trainee who attended fewer than 80% of the training days is listed.
ATTENDANCE_PCT = 80
# §8.5 (S2 四(一)): each county inspects at least 60% of its class batches in a calendar year.
INSPECTION_COVERAGE_PCT = 60


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


def _check_part(part_name: str, part: int, whole_name: str, whole: int) -> None:
    _check_count(part_name, part)
    _check_count(whole_name, whole)
    if part > whole:
        raise ValueError(f"{part_name} ({part}) cannot exceed {whole_name} ({whole})")


def subsidy_eligible(prior: Iterable[tuple[int, str, str]], year: int, occupation_code: str, level: str) -> bool:
    """May a person receive subsidised training in ``year`` for this occupation and level (§8.2)?

    ``prior`` holds (year, occupation code, level) of the person's earlier subsidised classes. Refused when the
    person already trained for the same occupation at the same level (in any year), or already had 3 subsidised
    classes in that calendar year."""
    classes_in_year = 0
    for prior_year, prior_code, prior_level in prior:
        if prior_code == occupation_code and prior_level == level:
            return False
        if prior_year == year:
            classes_in_year += 1
    return classes_in_year < MAX_SUBSIDISED_CLASSES_PER_YEAR


def attendance_sufficient(attended_days: int, training_days: int) -> bool | None:
    """attended * 100 >= 80 * training days (§8.3); None for a class without training days."""
    _check_part("attended_days", attended_days, "training_days", training_days)
    if training_days == 0:
        return None
    return attended_days * 100 >= ATTENDANCE_PCT * training_days


def inspection_coverage_met(inspected: int, batches: int) -> bool | None:
    """inspected * 100 >= 60 * batches for one county and calendar year (§8.5); None without batches."""
    _check_part("inspected", inspected, "batches", batches)
    if batches == 0:
        return None
    return inspected * 100 >= INSPECTION_COVERAGE_PCT * batches


def below_average(successes: int, total: int, all_successes: int, all_total: int) -> bool | None:
    """就业率低于平均水平 (§8.7): successes / total < all_successes / all_total, compared exactly as
    successes * all_total < all_successes * total; None when either total is 0."""
    _check_part("successes", successes, "total", total)
    _check_part("all_successes", all_successes, "all_total", all_total)
    if total == 0 or all_total == 0:
        return None
    return successes * all_total < all_successes * total


def rectification_overdue(deadline: date, today: date, is_closed: bool) -> bool:
    """逾期 (§8.6): past the deadline and not closed. The deadline day itself is still within the deadline
    (整改期限 is the last day to finish), so an item due today is not overdue; due yesterday, it is."""
    return not is_closed and deadline < today
