"""policy.md §5: sample size ⌈N/5⌉ and the month-end clipped due date."""

from datetime import date

import pytest

from followups.sampling import followup_due_date, sample_size


@pytest.mark.parametrize("enrolled, expected", [(0, 0), (1, 1), (5, 1), (6, 2), (10, 2), (11, 3), (35, 7), (36, 8)])
def test_sample_is_at_least_a_fifth_rounded_up(enrolled, expected):
    assert sample_size(enrolled) == expected


def test_sample_always_reaches_twenty_percent():
    for enrolled in range(0, 500):
        size = sample_size(enrolled)
        assert size * 5 >= enrolled and (size - 1) * 5 < enrolled or size == 0


@pytest.mark.parametrize("bad", [-1, 2.5, "7"])
def test_sample_size_refuses_impossible_counts(bad):
    with pytest.raises(ValueError):
        sample_size(bad)


@pytest.mark.parametrize(
    "ended, due",
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 1, 15), date(2026, 2, 15)),
        (date(2026, 12, 31), date(2027, 1, 31)),
        (date(2026, 12, 5), date(2027, 1, 5)),
    ],
)
def test_due_date_is_one_calendar_month_later_clipped_to_month_end(ended, due):
    assert followup_due_date(ended) == due
