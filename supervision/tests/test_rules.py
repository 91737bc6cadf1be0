"""Policy §8 boundaries, each on both sides (§1: exact comparisons, None for zero, ValueError for nonsense)."""

import pytest

from supervision.rules import attendance_sufficient, below_average, inspection_coverage_met, subsidy_eligible


class TestSubsidyEligible:
    def test_a_first_class_is_eligible(self):
        assert subsidy_eligible([], 2026, "4-10-01-05", "4") is True

    def test_the_third_class_of_a_year_is_eligible_the_fourth_is_not(self):
        two = [(2026, "4-03-02-01", "4"), (2026, "4-10-01-06", "5")]
        assert subsidy_eligible(two, 2026, "6-31-01-03", "4") is True
        three = two + [(2026, "4-10-01-02", "5")]
        assert subsidy_eligible(three, 2026, "6-31-01-03", "4") is False

    def test_classes_of_other_years_do_not_count_toward_the_three(self):
        prior = [(2025, "4-03-02-01", "4"), (2025, "4-10-01-06", "5"), (2025, "4-10-01-02", "5")]
        assert subsidy_eligible(prior, 2026, "6-31-01-03", "4") is True

    def test_never_twice_the_same_occupation_at_the_same_level_whatever_the_year(self):
        assert subsidy_eligible([(2019, "4-10-01-05", "4")], 2026, "4-10-01-05", "4") is False

    def test_the_same_occupation_at_another_level_is_a_new_training(self):
        assert subsidy_eligible([(2026, "4-10-01-05", "5")], 2026, "4-10-01-05", "4") is True


class TestAttendanceSufficient:
    @pytest.mark.parametrize(
        ("attended", "days", "expected"),
        [(8, 10, True), (7, 10, False), (4, 5, True), (3, 4, False), (79, 99, False), (80, 100, True), (0, 1, False), (0, 0, None)],
    )
    def test_eighty_percent_exactly(self, attended, days, expected):
        assert attendance_sufficient(attended, days) is expected

    @pytest.mark.parametrize(("attended", "days"), [(-1, 5), (1, -5), (6, 5), (True, 5), (1.0, 5)])
    def test_impossible_counts_are_refused(self, attended, days):
        with pytest.raises(ValueError):
            attendance_sufficient(attended, days)


class TestInspectionCoverageMet:
    @pytest.mark.parametrize(
        ("inspected", "batches", "expected"),
        [(3, 5, True), (2, 5, False), (6, 10, True), (59, 99, False), (60, 100, True), (0, 1, False), (1, 1, True), (0, 0, None)],
    )
    def test_sixty_percent_exactly(self, inspected, batches, expected):
        assert inspection_coverage_met(inspected, batches) is expected

    @pytest.mark.parametrize(("inspected", "batches"), [(-1, 5), (1, -1), (6, 5)])
    def test_impossible_counts_are_refused(self, inspected, batches):
        with pytest.raises(ValueError):
            inspection_coverage_met(inspected, batches)


class TestBelowAverage:
    @pytest.mark.parametrize(
        ("successes", "total", "all_successes", "all_total", "expected"),
        [
            (2, 10, 30, 100, True),   # 20% < 30%
            (3, 10, 30, 100, False),  # equal is not below
            (4, 10, 30, 100, False),
            (1, 3, 33, 100, False),   # 33.33% > 33% — no rounding
            (33, 100, 1, 3, True),    # 33% < 33.33%
            (0, 5, 0, 50, False),
            (0, 0, 5, 10, None),
            (1, 2, 0, 0, None),
        ],
    )
    def test_exact_comparison(self, successes, total, all_successes, all_total, expected):
        assert below_average(successes, total, all_successes, all_total) is expected

    @pytest.mark.parametrize("args", [(-1, 5, 1, 5), (1, 5, -1, 5), (6, 5, 1, 5), (1, 5, 6, 5), (1, -5, 1, 5)])
    def test_impossible_counts_are_refused(self, args):
        with pytest.raises(ValueError):
            below_average(*args)
