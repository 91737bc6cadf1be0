"""The grading rules of policy.md §1, §3 and §4. Pure: no database, no Django.

Every threshold is compared exactly on integer counts (``count * 100 >= pct * total``); a percentage is
rounded only for display. "X%以上" includes X% itself (《民法典》第一千二百五十九条).
"""

from dataclasses import dataclass
from fractions import Fraction

EXCELLENT = "excellent"
GOOD = "good"
FAIR = "fair"
POOR = "poor"
RATINGS = (EXCELLENT, GOOD, FAIR, POOR)
RATING_LABELS = {EXCELLENT: "优", GOOD: "良", FAIR: "一般", POOR: "差"}

# Policy §3 (S1 一(四)): share of trainee overall ratings that raises each flag.
OUTSTANDING_EXCELLENT_PCT = 90
RECTIFICATION_FAIR_PCT = 20
INVESTIGATION_POOR_PCT = 10

FARMER_HERDER = "farmer_herder"
URBAN_UNEMPLOYED = "urban_unemployed"
ENTREPRENEURSHIP = "entrepreneurship"

# Policy §4 (S1 三): lowest rate, in whole percent, for 优秀 / 良好 / 一般; below the last is 差.
EMPLOYMENT_THRESHOLDS: dict[str, tuple[int, int, int]] = {
    FARMER_HERDER: (30, 25, 20),
    URBAN_UNEMPLOYED: (50, 45, 40),
    ENTREPRENEURSHIP: (10, 7, 4),
}


def reaches(count: int, total: int, pct: int) -> bool:
    """count / total >= pct %, exactly. False for a total of zero (no grade by vacuous truth)."""
    return total > 0 and count * 100 >= pct * total


def percentage(count: int, total: int) -> Fraction | None:
    """The exact share in percent, for display (round it there); None when there is nothing to divide."""
    return Fraction(count * 100, total) if total else None


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


@dataclass(frozen=True)
class ClassGrade:
    """The judgement of one class from its trainees' overall ratings (policy §3)."""

    excellent: int
    good: int
    fair: int
    poor: int
    outstanding: bool
    needs_rectification: bool
    needs_investigation: bool

    @property
    def total(self) -> int:
        return self.excellent + self.good + self.fair + self.poor

    @property
    def has_data(self) -> bool:
        return self.total > 0

    def share(self, rating: str) -> Fraction | None:
        return percentage(getattr(self, rating), self.total)

    @property
    def reasons(self) -> list[str]:
        """Which clause fired, in the words a county officer reads on the class page."""
        if not self.has_data:
            return ["无数据：尚无有效的学员评价表"]
        reasons = []
        if self.outstanding:
            reasons.append(f"评价为“优”的学员占{OUTSTANDING_EXCELLENT_PCT}%以上：可综合评定为优秀，通报表扬")
        if self.needs_rectification:
            reasons.append(f"评价为“一般”的学员占{RECTIFICATION_FAIR_PCT}%以上：下达整改通知书，限期整改")
        if self.needs_investigation:
            reasons.append(f"评价为“差”的学员占{INVESTIGATION_POOR_PCT}%以上：调查核实，属实的确定为不合格班次")
        return reasons or ["未触发优秀、整改或核查条件"]


def grade_class(excellent: int, good: int, fair: int, poor: int) -> ClassGrade:
    """Flags of a class from the counts of 优/良/一般/差 among its valid 附表2. The flags are independent."""
    for name, value in (("excellent", excellent), ("good", good), ("fair", fair), ("poor", poor)):
        _check_count(name, value)
    total = excellent + good + fair + poor
    return ClassGrade(
        excellent=excellent,
        good=good,
        fair=fair,
        poor=poor,
        outstanding=reaches(excellent, total, OUTSTANDING_EXCELLENT_PCT),
        needs_rectification=reaches(fair, total, RECTIFICATION_FAIR_PCT),
        needs_investigation=reaches(poor, total, INVESTIGATION_POOR_PCT),
    )


# Policy §3 (Decision): every trainee is meant to fill 附表2; below this share of completed trainees the grade
# is provisional (暂定) and forwarding needs the county's written reason.
FORM_COVERAGE_PCT = 80


def form_coverage_sufficient(valid_forms: int, completed: int) -> bool | None:
    """valid 附表2 / trainees who completed the class >= 80%, exactly; None when nobody completed."""
    _check_count("valid_forms", valid_forms)
    _check_count("completed", completed)
    if valid_forms > completed:
        raise ValueError(f"valid_forms ({valid_forms}) cannot exceed completed ({completed})")
    if completed == 0:
        return None
    return valid_forms * 100 >= FORM_COVERAGE_PCT * completed


def grade_employment(group: str, successes: int, total: int) -> str | None:
    """The employment (or business start) grade of one trainee group; None when nobody completed."""
    if group not in EMPLOYMENT_THRESHOLDS:
        raise ValueError(f"unknown trainee group {group!r}")
    _check_count("successes", successes)
    _check_count("total", total)
    if successes > total:
        raise ValueError(f"successes ({successes}) cannot exceed total ({total})")
    if total == 0:
        return None
    excellent_pct, good_pct, fair_pct = EMPLOYMENT_THRESHOLDS[group]
    if reaches(successes, total, excellent_pct):
        return EXCELLENT
    if reaches(successes, total, good_pct):
        return GOOD
    if reaches(successes, total, fair_pct):
        return FAIR
    return POOR


# Class conclusion, policy §3: 不合格 > 待核查 > 需整改 > 优秀 > 合格.
CONCLUSION_FAILED = "failed"
CONCLUSION_UNDER_INVESTIGATION = "under_investigation"
CONCLUSION_RECTIFYING = "rectifying"
CONCLUSION_OUTSTANDING = "outstanding"
CONCLUSION_QUALIFIED = "qualified"
CONCLUSION_NO_DATA = "no_data"
CONCLUSION_LABELS = {
    CONCLUSION_FAILED: "不合格",
    CONCLUSION_UNDER_INVESTIGATION: "待核查",
    CONCLUSION_RECTIFYING: "需整改",
    CONCLUSION_OUTSTANDING: "优秀",
    CONCLUSION_QUALIFIED: "合格",
    CONCLUSION_NO_DATA: "无数据",
}


def class_conclusion(
    grade: ClassGrade,
    *,
    investigation_confirmed: bool,
    investigation_open: bool,
    investigation_cleared: bool,
    rectification_open: bool,
    rectification_closed: bool,
) -> str:
    """The class's conclusion from its grade and what the county did about the flags.

    A raised flag counts as open until the county records its outcome: a needed investigation is
    待核查 until found not confirmed, a needed rectification is 需整改 until a notice is closed.
    """
    if investigation_confirmed:
        return CONCLUSION_FAILED
    if investigation_open or (grade.needs_investigation and not investigation_cleared):
        return CONCLUSION_UNDER_INVESTIGATION
    if rectification_open or (grade.needs_rectification and not rectification_closed):
        return CONCLUSION_RECTIFYING
    if not grade.has_data:
        return CONCLUSION_NO_DATA
    if grade.outstanding:
        return CONCLUSION_OUTSTANDING
    return CONCLUSION_QUALIFIED
