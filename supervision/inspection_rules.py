"""The pace of on-site inspections toward 60% coverage (policy §8.5, S2 四(一)). Pure: no database, no Django.

Decision (the pace): an on-site inspection can only happen while a class trains, so a batch that ends without
one is missed for good. A batch's outcome for a year is *settled* once it has been inspected in that year, or
once it can no longer be (its training ended, or the year did, without an inspection: *missed*). A county is
behind the pace when fewer than 60% of its settled batches were inspected:

    inspected * 100 < 60 * (inspected + missed)

— the same comparison as ``inspection_coverage_met``, on the batches already decided. Batches still training and
not yet inspected are neither counted for nor against the county: they are the ones to visit next. At the end of
the year every batch is settled and the pace is the year's coverage itself. A share of the elapsed year was
rejected: classes cluster in seasons, and it would blame a county in spring for classes that have not yet run.
Exactly 60% of the settled batches is on pace (policy §1: "60%以上" includes 60%).
"""

from datetime import date

from .rules import inspection_coverage_met


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a count (an integer >= 0), got {value!r}")


def inspection_pace_behind(inspected: int, missed: int) -> bool | None:
    """Is a county behind the pace to 60% coverage? None while no batch is settled (nothing to judge)."""
    _check_count("inspected", inspected)
    _check_count("missed", missed)
    met = inspection_coverage_met(inspected, inspected + missed)
    return None if met is None else not met


def inspections_to_regain_pace(inspected: int, missed: int) -> int:
    """How many more batches the county must inspect, before it misses another, to be on pace again: the least
    k >= 0 with (inspected + k) * 100 >= 60 * (inspected + missed + k), i.e. k >= (3 * missed - 2 * inspected) / 2."""
    _check_count("inspected", inspected)
    _check_count("missed", missed)
    return max(0, -(-(3 * missed - 2 * inspected) // 2))


def last_inspection_day(end_date: date, year: int) -> date:
    """The last day on which a batch can still be inspected *for* ``year``: its last training day, or 31 December
    when it trains into the next year (an inspection counts for the year it is made in)."""
    return min(end_date, date(year, 12, 31))
