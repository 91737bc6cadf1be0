"""What a county officer would notice on a 附表2: participation facts that contradict the class record, and an
overall rating that contradicts every item the trainee rated. Flagged to the county, never decided. Pure."""

from dataclasses import dataclass
from datetime import date

# Ratings from best to worst; two steps apart (优 against 一般/差, 差 against 优/良) is a contradiction.
RATING_ORDER = ("excellent", "good", "fair", "poor")
RATING_LABELS = {"excellent": "优", "good": "良", "fair": "一般", "poor": "差"}
CONTRADICTING_DISTANCE = 2
# Attendance reported below this share of the class's hours or days is worth a question (虚构课时 either way).
LOW_ATTENDANCE_PCT = 50


@dataclass(frozen=True)
class ClassRecord:
    start_date: date
    end_date: date
    class_hours: int
    institution_name: str
    occupation_name: str


@dataclass(frozen=True)
class DeclaredParticipation:
    completed_training: bool
    attended_from: date
    attended_to: date
    attended_amount: int
    attended_unit: str  # "hours" or "days"
    organiser_name: str
    occupation_name: str
    overall: str = ""
    item_ratings: tuple[str, ...] = ()


def _normalise(text: str) -> str:
    return "".join(text.split()).replace("（", "(").replace("）", ")")


def participation_contradictions(declared: DeclaredParticipation, record: ClassRecord) -> list[str]:
    problems = []
    if not declared.completed_training:
        problems.append("学员填写“未完成此次培训”")
    if declared.attended_from < record.start_date or declared.attended_to > record.end_date:
        problems.append(
            f"参加培训日期 {declared.attended_from:%Y-%m-%d} 至 {declared.attended_to:%Y-%m-%d} "
            f"超出培训班起止时间 {record.start_date:%Y-%m-%d} 至 {record.end_date:%Y-%m-%d}"
        )
    class_days = (record.end_date - record.start_date).days + 1
    if declared.attended_unit == "days" and declared.attended_amount > class_days:
        problems.append(f"填写参加培训 {declared.attended_amount} 天，多于培训班的 {class_days} 天")
    if declared.attended_unit == "hours" and declared.attended_amount > record.class_hours:
        problems.append(f"填写参加培训 {declared.attended_amount} 课时，多于培训班的 {record.class_hours} 课时")
    if declared.attended_unit == "days" and declared.attended_amount * 100 < LOW_ATTENDANCE_PCT * class_days:
        problems.append(f"填写参加培训仅 {declared.attended_amount} 天，不足培训班 {class_days} 天的一半")
    if declared.attended_unit == "hours" and declared.attended_amount * 100 < LOW_ATTENDANCE_PCT * record.class_hours:
        problems.append(f"填写参加培训仅 {declared.attended_amount} 课时，不足培训班 {record.class_hours} 课时的一半")
    if _normalise(declared.organiser_name) != _normalise(record.institution_name):
        problems.append(f"填写的组织培训机构“{declared.organiser_name}”与培训班的“{record.institution_name}”不一致")
    declared_occupation = _normalise(declared.occupation_name)
    class_occupation = _normalise(record.occupation_name)
    if declared_occupation not in class_occupation and class_occupation not in declared_occupation:
        problems.append(f"填写的培训职业“{declared.occupation_name}”与培训班的“{record.occupation_name}”不一致")
    problems.extend(rating_contradictions(declared.overall, declared.item_ratings))
    return problems


def rating_contradictions(overall: str, item_ratings: tuple[str, ...]) -> list[str]:
    """An overall rating at least two steps from every item rating (综合“优” while every item is “差”)."""
    if overall not in RATING_ORDER or not item_ratings or any(item not in RATING_ORDER for item in item_ratings):
        return []
    position = RATING_ORDER.index(overall)
    if all(abs(RATING_ORDER.index(item) - position) >= CONTRADICTING_DISTANCE for item in item_ratings):
        items = "、".join(RATING_LABELS[rating] for rating in RATING_ORDER if rating in item_ratings)
        return [f"综合评价为“{RATING_LABELS[overall]}”，而八项评价均为“{items}”，前后矛盾"]
    return []
