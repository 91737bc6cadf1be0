"""Reporting periods: a year, a quarter or a month. Pure: no database, no Django.

Decision: the statistics place a class in the period its training ended (培训结束日期), when its evaluation,
follow-up and employment tracking begin.
"""

import calendar
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None
    month: int | None = None

    def __post_init__(self):
        if self.quarter is not None and not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1..4, got {self.quarter}")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")
        if self.month is not None and self.quarter is not None and (self.month - 1) // 3 + 1 != self.quarter:
            raise ValueError(f"month {self.month} is not in quarter {self.quarter}")

    @property
    def first_day(self) -> date:
        if self.month:
            return date(self.year, self.month, 1)
        if self.quarter:
            return date(self.year, 3 * self.quarter - 2, 1)
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        last_month = self.month or (3 * self.quarter if self.quarter else 12)
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def label(self) -> str:
        if self.month:
            return f"{self.year}年{self.month}月"
        if self.quarter:
            return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"
        return f"{self.year}年度"

    @property
    def file_label(self) -> str:
        if self.month:
            return f"{self.year}-{self.month:02d}"
        if self.quarter:
            return f"{self.year}Q{self.quarter}"
        return str(self.year)


def period_from_file_label(text: str) -> Period | None:
    """The period a ``file_label`` names ("2026", "2026Q3", "2026-05"), as a printout's record keeps it; None for
    anything else."""
    try:
        if "Q" in text:
            year, quarter = text.split("Q")
            return Period(int(year), quarter=int(quarter))
        if "-" in text:
            year, month = text.split("-")
            return Period(int(year), month=int(month))
        return Period(int(text))
    except ValueError:
        return None


def month_bounds(month_start: date) -> tuple[date, date]:
    """The first and last day of the month that ``month_start`` falls in."""
    first = month_start.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
