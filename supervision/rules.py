"""The supervision rules of policy.md §8 (S2, the region's 2024 notice). Pure: no database, no Django.

Like evaluations/rules.py they follow policy §1: exact integer comparisons (``part * 100 >= pct * whole``),
None where the denominator is zero, ValueError for a negative count or a part larger than its whole.
"""

from collections.abc import Iterable

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
