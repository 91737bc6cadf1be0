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


def test_the_draw_order_is_re_derivable_from_the_seed_and_a_permutation():
    from followups.sampling import draw_order

    candidates = [31, 7, 12, 99, 4, 58]
    first = draw_order(candidates, "3f2a")
    assert draw_order(list(reversed(candidates)), "3f2a") == first
    assert sorted(first) == sorted(candidates)
    assert draw_order(candidates, "other-seed") != first or len(candidates) < 2


def test_the_draw_is_uniform_over_many_seeds():
    from collections import Counter

    from followups.sampling import draw_order

    first_picks = Counter(draw_order(list(range(5)), f"seed-{n}")[0] for n in range(5000))
    assert all(800 < count < 1200 for count in first_picks.values()), first_picks
