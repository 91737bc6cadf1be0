"""policy.md §1, §3, §4: every boundary, exact arithmetic, totals of zero, impossible input."""

import pytest

from evaluations.rules import grade_class, grade_employment, percentage


class TestGradeClass:
    def test_exactly_90_percent_excellent_is_outstanding(self):
        assert grade_class(9, 1, 0, 0).outstanding is True

    def test_just_under_90_percent_is_not_outstanding_even_when_it_rounds_to_90(self):
        # 188 of 209 is 89.95%: displayed as 90.0% but NOT 90% (policy §1).
        grade = grade_class(188, 21, 0, 0)
        assert grade.total == 209
        assert grade.outstanding is False

    def test_exactly_20_percent_fair_needs_rectification(self):
        assert grade_class(8, 0, 2, 0).needs_rectification is True
        assert grade_class(80, 1, 19, 0).needs_rectification is False

    def test_exactly_10_percent_poor_needs_investigation(self):
        assert grade_class(9, 0, 0, 1).needs_investigation is True
        assert grade_class(91, 0, 0, 9).needs_investigation is False

    def test_seven_of_a_hundred_is_exactly_seven_percent_in_integer_arithmetic(self):
        # 100 * 0.07 is 7.000000000000001 in floating point; the rule compares integers.
        grade = grade_class(90, 0, 3, 7)
        assert grade.outstanding is True
        assert grade.needs_investigation is False

    def test_flags_are_independent(self):
        grade = grade_class(5, 0, 3, 2)
        assert grade.needs_rectification and grade.needs_investigation and not grade.outstanding

    def test_outstanding_and_investigation_can_coincide(self):
        grade = grade_class(9, 0, 0, 1)
        assert grade.outstanding and grade.needs_investigation

    def test_no_forms_gives_no_grade(self):
        grade = grade_class(0, 0, 0, 0)
        assert grade.total == 0
        assert not (grade.outstanding or grade.needs_rectification or grade.needs_investigation)
        assert grade.reasons == ["无数据：尚无有效的学员评价表"]

    def test_reasons_name_the_clause_that_fired(self):
        reasons = grade_class(7, 0, 2, 1).reasons
        assert any("整改" in reason for reason in reasons)
        assert any("不合格" in reason for reason in reasons)

    @pytest.mark.parametrize("counts", [(-1, 0, 0, 0), (0, 0, -3, 0), (1.5, 0, 0, 0), (True, 0, 0, 0)])
    def test_impossible_counts_are_refused(self, counts):
        with pytest.raises(ValueError):
            grade_class(*counts)

    def test_share_is_exact_and_none_without_data(self):
        assert percentage(188, 209) < 90
        assert grade_class(0, 0, 0, 0).share("excellent") is None


class TestGradeEmployment:
    @pytest.mark.parametrize(
        "group, successes, total, expected",
        [
            ("farmer_herder", 30, 100, "excellent"),
            ("farmer_herder", 29, 100, "good"),
            ("farmer_herder", 25, 100, "good"),
            ("farmer_herder", 24, 100, "fair"),
            ("farmer_herder", 20, 100, "fair"),
            ("farmer_herder", 19, 100, "poor"),
            ("farmer_herder", 1, 5, "fair"),
            ("urban_unemployed", 50, 100, "excellent"),
            ("urban_unemployed", 49, 100, "good"),
            ("urban_unemployed", 45, 100, "good"),
            ("urban_unemployed", 40, 100, "fair"),
            ("urban_unemployed", 39, 100, "poor"),
            ("entrepreneurship", 10, 100, "excellent"),
            ("entrepreneurship", 7, 100, "good"),
            ("entrepreneurship", 6, 100, "fair"),
            ("entrepreneurship", 4, 100, "fair"),
            ("entrepreneurship", 3, 100, "poor"),
            ("entrepreneurship", 0, 3, "poor"),
        ],
    )
    def test_thresholds_include_their_boundary(self, group, successes, total, expected):
        assert grade_employment(group, successes, total) == expected

    def test_just_below_a_boundary_is_the_lower_grade(self):
        # 299 of 1000 = 29.9%: rounds to 30% for display but is 良好.
        assert grade_employment("farmer_herder", 299, 1000) == "good"

    def test_no_completed_trainees_gives_no_grade(self):
        assert grade_employment("urban_unemployed", 0, 0) is None

    @pytest.mark.parametrize(
        "args",
        [("farmer_herder", 5, 4), ("farmer_herder", -1, 4), ("farmer_herder", 1, -4), ("students", 1, 4), ("", 0, 0)],
    )
    def test_impossible_input_is_refused(self, args):
        with pytest.raises(ValueError):
            grade_employment(*args)


class TestClassConclusion:
    def conclude(self, grade, **state):
        from evaluations.rules import class_conclusion

        flags = {
            "investigation_confirmed": False,
            "investigation_open": False,
            "investigation_cleared": False,
            "rectification_open": False,
            "rectification_closed": False,
        }
        return class_conclusion(grade, **{**flags, **state})

    def test_confirmed_investigation_fails_the_class_whatever_else(self):
        assert self.conclude(grade_class(10, 0, 0, 0), investigation_confirmed=True, rectification_open=True) == "failed"

    def test_a_raised_investigation_flag_holds_back_commendation_until_cleared(self):
        grade = grade_class(9, 0, 0, 1)
        assert self.conclude(grade) == "under_investigation"
        assert self.conclude(grade, investigation_open=True) == "under_investigation"
        assert self.conclude(grade, investigation_cleared=True) == "outstanding"

    def test_rectification_is_needed_until_the_notice_is_closed(self):
        grade = grade_class(6, 2, 2, 0)
        assert self.conclude(grade) == "rectifying"
        assert self.conclude(grade, rectification_open=True) == "rectifying"
        assert self.conclude(grade, rectification_closed=True) == "qualified"

    def test_investigation_outranks_rectification(self):
        assert self.conclude(grade_class(5, 0, 3, 2), rectification_open=True) == "under_investigation"

    def test_no_forms_is_no_data(self):
        assert self.conclude(grade_class(0, 0, 0, 0)) == "no_data"
