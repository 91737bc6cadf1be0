"""The supervision rules of policy.md §8 (S2, the region's 2024 notice). Pure: no database, no Django.

Like evaluations/rules.py they follow policy §1: exact integer comparisons (``part * 100 >= pct * whole``),
None where the denominator is zero, ValueError for a negative count or a part larger than its whole.
"""

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

# Pure as well: the class conclusions and the policy §4 groups are named there.
from evaluations import rules as evaluation_rules

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


# §8.7 (S2 四(二)): the yearly performance evaluation and the red/black list proposals. The league decides every
# entry; these rules only propose, each proposal with the reasons a league officer reads beside it.

# Decision: 长期不开展培训 looks back 12 calendar months from the evaluation date.
INACTIVITY_MONTHS = 12
# Decision: a red-list proposal needs at least this many of the year's classes with a conclusion, so that one or
# two good classes do not make a model institution.
RED_LIST_MIN_CLASSES = 3

GROUP_LABELS = {
    evaluation_rules.FARMER_HERDER: "农牧民就业率",
    evaluation_rules.URBAN_UNEMPLOYED: "城镇失业人员就业率",
    evaluation_rules.ENTREPRENEURSHIP: "创业培训创业成功率",
}
# Conclusions that keep a class out of a red-list proposal (policy §3: 不合格 > 待核查 > 需整改).
GROUP_SHORT_LABELS = {
    evaluation_rules.FARMER_HERDER: "农牧民",
    evaluation_rules.URBAN_UNEMPLOYED: "城镇失业人员",
    evaluation_rules.ENTREPRENEURSHIP: "创业培训",
}
BLEMISHED_CONCLUSIONS = (
    evaluation_rules.CONCLUSION_FAILED,
    evaluation_rules.CONCLUSION_UNDER_INVESTIGATION,
    evaluation_rules.CONCLUSION_RECTIFYING,
)
GOOD_CONCLUSIONS = (evaluation_rules.CONCLUSION_OUTSTANDING, evaluation_rules.CONCLUSION_QUALIFIED)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier, clipped to the month's end (2026-02-28 ← 2027-02-28,
    2023-02-28 ← 2024-02-29 minus 12 months)."""
    _check_count("months", months)
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def inactive(last_class_start: date | None, evaluation_date: date) -> bool:
    """长期不开展培训 (§8.7): no class started in the 12 months before the evaluation date.

    The window includes both ends: a class started on the same day 12 months earlier still counts, one started
    the day before does not. ``last_class_start`` is the latest start on or before the evaluation date (None:
    the institution never started a class); a later date is refused, since it cannot show what was true then."""
    if last_class_start is None:
        return True
    if last_class_start > evaluation_date:
        raise ValueError(f"last_class_start ({last_class_start}) is after the evaluation date ({evaluation_date})")
    return last_class_start < months_before(evaluation_date, INACTIVITY_MONTHS)


def _display_rate(part: int, whole: int) -> str:
    return f"{part}/{whole}（{part * 100 / whole:.1f}%）" if whole else f"{part}/{whole}"


@dataclass(frozen=True)
class GroupEmployment:
    """One policy §4 group of an institution's year beside the league's whole year."""

    group: str
    successes: int
    total: int
    all_successes: int
    all_total: int

    @property
    def is_below_average(self) -> bool | None:
        return below_average(self.successes, self.total, self.all_successes, self.all_total)

    @property
    def label(self) -> str:
        return GROUP_LABELS[self.group]

    @property
    def short_label(self) -> str:
        return GROUP_SHORT_LABELS[self.group]

    @property
    def rate_text(self) -> str:
        return _display_rate(self.successes, self.total)

    @property
    def league_rate_text(self) -> str:
        return _display_rate(self.all_successes, self.all_total)

    def describe(self) -> str:
        return f"{self.label}{self.rate_text}，全盟{self.league_rate_text}"


@dataclass(frozen=True)
class InstitutionYearFacts:
    """What the portal knows of one institution's year (the year's classes: those started in that year)."""

    year: int
    evaluation_date: date
    last_class_start: date | None  # latest start on or before the evaluation date, any year
    conclusions: Mapping[str, int] = field(default_factory=dict)  # evaluations.rules CONCLUSION_* → classes
    falsifications: int = 0  # the year's classes whose investigation confirmed falsification
    employment: tuple[GroupEmployment, ...] = ()

    @property
    def is_inactive(self) -> bool:
        return inactive(self.last_class_start, self.evaluation_date)

    @property
    def graded_groups(self) -> list[GroupEmployment]:
        """The groups with trainees on both sides, i.e. where below_average gives an answer."""
        return [group for group in self.employment if group.is_below_average is not None]


def black_list_reasons(facts: InstitutionYearFacts) -> list[str]:
    """Why the institution is proposed for the black list (empty: it is not). Decisions (§8.7):
    - a confirmed falsification (情况属实, 弄虚作假) of one of the year's classes;
    - 长期不开展培训: no class started in the 12 months before the evaluation date;
    - 就业率低于平均水平: below the league's average in every group that has trainees on both sides (at least one).
    """
    _check_count("falsifications", facts.falsifications)
    reasons = []
    if facts.falsifications:
        reasons.append(f"{facts.year}年度有{facts.falsifications}个培训班经核查认定培训机构弄虚作假（情况属实）")
    if facts.is_inactive:
        last = f"最近一次开班为{facts.last_class_start:%Y-%m-%d}" if facts.last_class_start else "从未开班"
        reasons.append(f"长期不开展培训：评估日{facts.evaluation_date:%Y-%m-%d}前{INACTIVITY_MONTHS}个月内没有开班（{last}）")
    graded = facts.graded_groups
    if graded and all(group.is_below_average for group in graded):
        details = "；".join(group.describe() for group in graded)
        reasons.append(f"培训后就业率低于全盟平均水平（参评的每个群体均低于平均）：{details}")
    return reasons


def red_list_reasons(facts: InstitutionYearFacts) -> list[str]:
    """Why the institution is proposed for the red list (empty: it is not). Decision (§8.7), all of:
    - no black-list reason;
    - at least 3 of the year's classes have a conclusion, and every one is 优秀 or 合格 (none 不合格, 待核查, 需整改);
    - employment not below the league's average in any group that has trainees on both sides (at least one).
    """
    for conclusion, count in facts.conclusions.items():
        _check_count(f"conclusions[{conclusion}]", count)
    if black_list_reasons(facts):
        return []
    concluded = sum(facts.conclusions.get(conclusion, 0) for conclusion in (*GOOD_CONCLUSIONS, *BLEMISHED_CONCLUSIONS))
    if concluded < RED_LIST_MIN_CLASSES or any(facts.conclusions.get(conclusion, 0) for conclusion in BLEMISHED_CONCLUSIONS):
        return []
    graded = facts.graded_groups
    if not graded or any(group.is_below_average for group in graded):
        return []
    outstanding = facts.conclusions.get(evaluation_rules.CONCLUSION_OUTSTANDING, 0)
    return [
        f"{facts.year}年度{concluded}个培训班均评为优秀或合格（其中优秀{outstanding}个）",
        "培训后就业率不低于全盟平均水平：" + "；".join(group.describe() for group in graded),
    ]


def rectification_overdue(deadline: date, today: date, is_closed: bool) -> bool:
    """逾期 (§8.6): past the deadline and not closed. The deadline day itself is still within the deadline
    (整改期限 is the last day to finish), so an item due today is not overdue; due yesterday, it is."""
    return not is_closed and deadline < today


# §8.2 (S2 三): the six categories of person a subsidised class may train, by TraineeCategory code.
POLICY_TRAINEE_CATEGORY_CODES = frozenset({
    "poverty_monitoring",  # 防止返贫监测对象
    "college_graduate",  # 毕业年度高校毕业生
    "school_leaver",  # 城乡未继续升学的应届初高中毕业生
    "rural_migrant",  # 农村牧区转移就业劳动者
    "urban_registered_unemployed",  # 城镇登记失业人员
    "hard_to_employ",  # 就业困难人员
})
# §8.4: one phone number shared by this many trainees or more is a fraud signal (拉人头).
SHARED_PHONE_MIN_TRAINEES = 3

LIST_MATCHED = "matched"  # on a department list that proves the declared category
LIST_OTHER_CATEGORY = "other_category"  # on department lists, none of which proves the declared category
LIST_UNMATCHED = "unmatched"  # on no department list


def trainee_category_eligible(category_code: str) -> bool:
    """Is the declared category one of the six of S2 三 (§8.2)? The category table may grow; the policy does not."""
    return category_code in POLICY_TRAINEE_CATEGORY_CODES


def department_list_match(declared_category_code: str, listed_category_codes: Iterable[str | None]) -> str:
    """How the department lists bear out a trainee's declared category (§8.2): LIST_MATCHED when one of the lists
    the ID number is on proves that category, LIST_OTHER_CATEGORY when it is only on lists of other categories
    (or of none), LIST_UNMATCHED when it is on no list."""
    listed = list(listed_category_codes)
    if not listed:
        return LIST_UNMATCHED
    return LIST_MATCHED if declared_category_code in listed else LIST_OTHER_CATEGORY


def dates_overlap(first_start, first_end, second_start, second_end) -> bool:
    """Two date ranges share a day, both ends inclusive (a class ending on the day another starts overlaps; one
    ending the day before does not). Refuses a range that ends before it starts."""
    if first_end < first_start or second_end < second_start:
        raise ValueError("a date range cannot end before it starts")
    return first_start <= second_end and second_start <= first_end


def phone_shared_too_widely(trainees_with_phone: int) -> bool:
    """One phone number given for SHARED_PHONE_MIN_TRAINEES or more different trainees (§8.4 fraud signal)."""
    _check_count("trainees_with_phone", trainees_with_phone)
    return trainees_with_phone >= SHARED_PHONE_MIN_TRAINEES


def trainee_needs_decision(*, category_eligible: bool, list_match: str, subsidy_eligible: bool, has_overlap: bool) -> bool:
    """A trainee the county must decide on (accept with a reason, or exclude) before it may approve the opening
    (§8.2): a category outside the six, an ID number the department lists do not bear out, the subsidy limit
    reached, or a class with overlapping dates. Fraud signals (a shared phone) inform and do not ask for one."""
    if list_match not in (LIST_MATCHED, LIST_OTHER_CATEGORY, LIST_UNMATCHED):
        raise ValueError(f"unknown list match {list_match!r}")
    return not category_eligible or list_match != LIST_MATCHED or not subsidy_eligible or has_overlap
