"""How a fraud signal's evidence reads to one user. Pure: no database, no Django.

The stored evidence names every class involved. A county sees the rows of the classes in its scope and the
others only as a count ("辖区外 N 个培训班"): another county's roster names stay with that county.
"""

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from evaluations.contradictions import RATING_LABELS

from . import signals_detection as detection

COMPLETION_LABELS = {"enrolled": "在训", "completed": "已结业", "dropped": "中途退出"}
UNIT_LABELS = {"hours": "课时", "days": "天"}


@dataclass(frozen=True)
class EvidenceView:
    summary: str
    classes: list[dict]  # the class references the user may see, each with "batch", "institution", "start", "end"
    hidden_classes: int
    headers: tuple[str, ...] = ()
    rows: list[tuple] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PersonRefs:
    """How signals may name one enrollment of a person: the ids evidence rows and subjects carry."""

    enrollment_id: int
    trainee_id: int
    phone_key: str  # signal_facts.phone_key of the roster's phone
    form_ids: frozenset[int] = frozenset()  # the enrollment's 附表2 (identical forms name forms)
    check_in_ids: frozenset[int] = frozenset()  # its check-ins (far check-ins name check-ins)


def names_person(*, subject: str, key: str, evidence: dict, person: PersonRefs) -> bool:
    """Whether a signal about the enrollment's class names this person: by its subject (the person's ID, the
    roster's phone), its key (a follow-up contradiction is one enrollment's) or a row of its evidence. Evidence
    keeps the first rows only (EVIDENCE_ROWS_MAX, FAR_CHECK_INS_SHOWN): a person past them is not named."""
    if subject in (f"trainee:{person.trainee_id}", f"phone:{person.phone_key}") or key == f"enrollment:{person.enrollment_id}":
        return True
    return any(
        row.get("enrollment_id") == person.enrollment_id or row.get("form_id") in person.form_ids
        or row.get("check_in_id") in person.check_in_ids
        for row in evidence.get("rows", [])
    )


def names_people(evidence: dict) -> bool:
    """Whether a signal's evidence lists people at all; one that does not (a teacher's conflict) is about the class."""
    return bool(evidence.get("rows"))


def check_in_ids_named(evidence: dict) -> set[int]:
    return {row["check_in_id"] for row in evidence.get("rows", []) if "check_in_id" in row}


def _local(value: str, tz: tzinfo) -> datetime:
    return datetime.fromisoformat(value).astimezone(tz)


def _batch_of(classes: dict[int, dict], class_id: int) -> str:
    return classes[class_id]["batch"] if class_id in classes else ""


def _answers_note(answers: list) -> str:
    items = "、".join(RATING_LABELS.get(value, value) for value in answers[:8])
    completed = "是" if answers[9] else "否"
    return (
        f"相同的答案：八项评价 {items}；综合评价 {RATING_LABELS.get(answers[8], answers[8])}；完成培训 {completed}；"
        f"参加培训 {answers[10]} 至 {answers[11]}，{answers[12]} {UNIT_LABELS.get(answers[13], answers[13])}；"
        f"组织机构“{answers[14]}”；职业“{answers[15]}”（意见建议不比较）"
    )


def evidence_view(kind: str, evidence: dict, visible_class_ids: set[int], *, tz: tzinfo) -> EvidenceView:
    """The evidence of one signal as ``visible_class_ids`` allow: the rows of other classes are left out."""
    shown = [ref for ref in evidence.get("classes", []) if ref["id"] in visible_class_ids]
    hidden = len(evidence.get("classes", [])) - len(shown)
    by_id = {ref["id"]: ref for ref in shown}
    rows = [row for row in evidence.get("rows", []) if row.get("class_id") in by_id]
    notes: list[str] = []
    if kind == detection.ID_OVERLAP:
        summary = f"身份证号 {evidence['masked_id']} 同时在 {len(evidence['classes'])} 个培训期重叠的培训班花名册上"
        headers = ("培训班", "花名册姓名", "身份证号", "结业情况")
        table = [(_batch_of(by_id, row["class_id"]), row["name"], row["masked_id"], COMPLETION_LABELS.get(row["completion"], ""))
                 for row in rows]
    elif kind == detection.SHARED_PHONE:
        summary = (f"手机号 {evidence['masked_phone']} 被 {evidence['trainee_count']} 名学员共用"
                   f"（{len(evidence['classes'])} 个培训班）")
        headers = ("培训班", "花名册姓名", "身份证号")
        table = [(_batch_of(by_id, row["class_id"]), row["name"], row["masked_id"]) for row in rows]
        if evidence["row_count"] > len(evidence["rows"]):
            notes.append(f"共 {evidence['row_count']} 条花名册记录，仅保存前 {len(evidence['rows'])} 条。")
    elif kind == detection.REPEAT_TRAINING:
        summary = (f"身份证号 {evidence['masked_id']} 参加了 {len(evidence['classes'])} 次“{evidence['occupation']}”培训"
                   "（同一职业同一等级只能享受一次补贴性培训）")
        headers = ("培训班", "花名册姓名", "身份证号", "培训期")
        table = [(_batch_of(by_id, row["class_id"]), row["name"], row["masked_id"],
                  f"{by_id[row['class_id']]['start']} 至 {by_id[row['class_id']]['end']}") for row in rows]
    elif kind == detection.IDENTICAL_FORMS:
        first, last = _local(evidence["first_at"], tz), _local(evidence["last_at"], tz)
        summary = f"{evidence['count']} 份附表2答案完全相同，于 {first:%Y-%m-%d %H:%M}–{last:%H:%M} 集中在线提交"
        headers = ("学员", "身份证号", "提交时间")
        table = [(row["name"], row["masked_id"], f"{_local(row['submitted_at'], tz):%H:%M:%S}") for row in rows]
        notes.append(_answers_note(evidence["answers"]))
    elif kind == detection.FAR_CHECK_INS:
        summary = (f"{evidence['trainee_count']} 名学员共 {evidence['count']} 次签到距培训地点超过 {evidence['far_metres']} 米"
                   f"（最远 {evidence['max_distance_m'] / 1000:.1f} 公里）")
        headers = ("学员", "身份证号", "签到日期", "距培训地点")
        table = [(row["name"], row["masked_id"], row["date"], f"{row['distance_m'] / 1000:.1f} 公里") for row in rows]
        if evidence["count"] > len(evidence["rows"]):
            notes.append(f"仅列出最远的 {len(evidence['rows'])} 次，全部签到见考勤页面。")
    elif kind == detection.ATTENDANCE_SHORTFALL:
        summary = f"结业时 {evidence['count']} 名学员出勤低于培训天数的80%"
        headers = ("学员", "身份证号", "出勤天数", "培训天数")
        table = [(row["name"], row["masked_id"], row["attended_days"], row["training_days"]) for row in rows]
    elif kind == detection.FOLLOWUP_CONTRADICTION:
        row = evidence["rows"][0]
        summary = f"{row['name']}：{'；'.join(row['problems'])}" if rows else "电话回访答复与附表2矛盾"
        headers = ("学员", "身份证号", "问题")
        table = [(item["name"], item["masked_id"], "；".join(item["problems"])) for item in rows]
    elif kind == detection.TEACHER_CONFLICT:
        teacher = evidence["teacher"]
        summary = f"教师 {teacher['name']}（{teacher['masked_id']}）同时在 {len(evidence['classes'])} 个日期重叠的培训班授课"
        headers = ("培训班", "培训机构", "培训期")
        table = [(ref["batch"], ref["institution"], f"{ref['start']} 至 {ref['end']}") for ref in shown]
    else:
        raise ValueError(f"unknown fraud signal kind {kind!r}")
    if hidden:
        notes.append(f"辖区外 {hidden} 个培训班（无权查看其学员信息）。")
    return EvidenceView(summary=summary, classes=shown, hidden_classes=hidden, headers=headers, rows=table, notes=notes)
