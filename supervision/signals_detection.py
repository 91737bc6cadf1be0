"""Fraud signals of policy §8.4 (拉人头, 虚报人数, 虚构课时) as pure functions over plain data. No database, no Django.

Each detector takes plain facts (the dataclasses below, filled by supervision/signal_facts.py) and returns
Findings: a kind, the classes involved, a stable key, the subject the key is about, and the evidence that a county
reads. Evidence holds masked ID numbers and masked phone numbers only, never full ones.

The subject says which facts decide a finding completely: ``trainee:<id>`` (every enrollment of that person),
``phone:<digest>`` (every enrollment with that number), ``teacher:<id>`` (every class of that teacher) or
``class:<id>`` (that class's own forms, check-ins and calls). The recompute service loads facts for a set of
classes, knows which subjects it loaded completely, and keeps only the findings about those.

Signals inform, they never block (policy §8.4): nothing here refuses anything.
"""

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from classes.masking import mask_id_number, mask_phone
from followups.contradictions import CallAnswers, contradicts_form2, followup_problems

from . import attendance_rules, geo, rules

ID_OVERLAP = "id_overlap"
SHARED_PHONE = "shared_phone"
REPEAT_TRAINING = "repeat_training"
IDENTICAL_FORMS = "identical_forms"
FAR_CHECK_INS = "far_check_ins"
ATTENDANCE_SHORTFALL = "attendance_shortfall"
FOLLOWUP_CONTRADICTION = "followup_contradiction"
TEACHER_CONFLICT = "teacher_conflict"
KINDS = (
    ID_OVERLAP, SHARED_PHONE, REPEAT_TRAINING, IDENTICAL_FORMS, FAR_CHECK_INS, ATTENDANCE_SHORTFALL,
    FOLLOWUP_CONTRADICTION, TEACHER_CONFLICT,
)

# §8.4: one phone number shared by 3 or more trainees.
SHARED_PHONE_MIN_TRAINEES = 3
# §8.4: 5 or more 附表2 of one class with identical answers within 10 minutes (first to last, both included).
IDENTICAL_FORMS_MIN = 5
IDENTICAL_FORMS_WINDOW = timedelta(minutes=10)
# Evidence lists are cut here (the counts stay whole): a phone typed for a whole roster, or a class site
# registered at the wrong place, must not copy thousands of rows into every signal.
EVIDENCE_ROWS_MAX = 200
FAR_CHECK_INS_SHOWN = 50

DROPPED = "dropped"
FINISHED = "finished"


@dataclass(frozen=True)
class ClassFacts:
    class_id: int
    county_id: int
    batch_number: str
    institution_name: str
    occupation_code: str
    occupation_level: str
    occupation_label: str  # 养老护理员（四级/中级工）
    start_date: date
    end_date: date
    status: str

    def ref(self) -> dict:
        """How evidence names a class (the county id lets a page tell in-scope classes from others)."""
        return {
            "id": self.class_id, "county_id": self.county_id, "batch": self.batch_number,
            "institution": self.institution_name, "start": self.start_date.isoformat(), "end": self.end_date.isoformat(),
        }


@dataclass(frozen=True)
class RosterEntry:
    """One enrollment: the person (by ID) on one class's roster, with the name and phone that roster gave."""

    enrollment_id: int
    class_id: int
    trainee_id: int
    id_number: str
    roster_name: str
    phone: str
    completion: str


@dataclass(frozen=True)
class FormFacts:
    """One valid 附表2 filled online. ``answers`` are everything the trainee chose except the suggestions: the eight
    item ratings, the overall rating and the participation facts, in the form's order."""

    form_id: int
    class_id: int
    enrollment_id: int
    roster_name: str
    id_number: str
    submitted_at: datetime
    answers: tuple


@dataclass(frozen=True)
class CheckInFacts:
    check_in_id: int
    class_id: int
    enrollment_id: int
    roster_name: str
    id_number: str
    day: date
    distance_m: int | None


@dataclass(frozen=True)
class AttendanceFacts:
    """A trainee of a finished class who was not dropped, with the check-ins inside the class's period."""

    class_id: int
    enrollment_id: int
    roster_name: str
    id_number: str
    attended_days: int


@dataclass(frozen=True)
class FollowupFacts:
    """A completed follow-up call, with "本人是否完成此次培训" of the trainee's valid 附表2 (None without one)."""

    item_id: int
    class_id: int
    enrollment_id: int
    roster_name: str
    id_number: str
    received_training: bool | None
    completed_training: bool | None
    form2_completed: bool | None


@dataclass(frozen=True)
class TeacherPair:
    """One teacher on two classes whose dates overlap (supervision.teacher_selectors.teacher_conflicts)."""

    teacher_id: int
    teacher_name: str
    masked_id: str
    first_class_id: int
    second_class_id: int


@dataclass(frozen=True)
class Finding:
    kind: str
    class_ids: tuple[int, ...]
    key: str
    subject: str
    evidence: dict = field(compare=False)


@dataclass(frozen=True)
class Facts:
    classes: dict[int, ClassFacts]
    enrollments: list[RosterEntry] = field(default_factory=list)
    forms: list[FormFacts] = field(default_factory=list)
    check_ins: list[CheckInFacts] = field(default_factory=list)
    attendance: list[AttendanceFacts] = field(default_factory=list)
    followups: list[FollowupFacts] = field(default_factory=list)
    teacher_pairs: list[TeacherPair] = field(default_factory=list)


def dates_overlap(first_start: date, first_end: date, second_start: date, second_end: date) -> bool:
    """Both ends inclusive: a class ending on the day another starts overlaps it; one ending the day before does
    not (the rule of teacher_conflicts)."""
    return first_start <= second_end and second_start <= first_end


def _person(name: str, id_number: str) -> dict:
    return {"name": name, "masked_id": mask_id_number(id_number)}


def _roster_row(entry: RosterEntry) -> dict:
    return {"class_id": entry.class_id, "enrollment_id": entry.enrollment_id, **_person(entry.roster_name, entry.id_number)}


def _refs(classes: dict[int, ClassFacts], class_ids: Iterable[int]) -> list[dict]:
    return [classes[class_id].ref() for class_id in sorted(set(class_ids), key=lambda pk: (classes[pk].start_date, pk))]


def _overlapping_pairs(classes: dict[int, ClassFacts], class_ids: Iterable[int]) -> list[list[int]]:
    ordered = sorted(set(class_ids), key=lambda pk: (classes[pk].start_date, pk))
    pairs = []
    for index, first in enumerate(ordered):
        for second in ordered[index + 1:]:
            one, other = classes[first], classes[second]
            if dates_overlap(one.start_date, one.end_date, other.start_date, other.end_date):
                pairs.append([first, second])
    return pairs


def id_overlap_findings(entries: Iterable[RosterEntry], classes: dict[int, ClassFacts]) -> list[Finding]:
    """The same ID number on the rosters of classes whose dates overlap (a person cannot attend both)."""
    by_trainee: dict[int, list[RosterEntry]] = defaultdict(list)
    for entry in entries:
        by_trainee[entry.trainee_id].append(entry)
    findings = []
    for trainee_id, own in sorted(by_trainee.items()):
        pairs = _overlapping_pairs(classes, (entry.class_id for entry in own))
        if not pairs:
            continue
        involved = sorted({class_id for pair in pairs for class_id in pair})
        rows = [
            {"class_id": entry.class_id, "enrollment_id": entry.enrollment_id, **_person(entry.roster_name, entry.id_number),
             "completion": entry.completion}
            for entry in sorted(own, key=lambda entry: entry.class_id) if entry.class_id in involved
        ]
        subject = f"trainee:{trainee_id}"
        findings.append(Finding(ID_OVERLAP, tuple(involved), subject, subject, {
            "masked_id": mask_id_number(own[0].id_number), "classes": _refs(classes, involved), "rows": rows, "pairs": pairs,
        }))
    return findings


def shared_phone_findings(
    entries: Iterable[RosterEntry], classes: dict[int, ClassFacts], phone_key: Callable[[str], str]
) -> list[Finding]:
    """One phone number (as the rosters gave it) shared by SHARED_PHONE_MIN_TRAINEES or more distinct people.

    ``phone_key`` turns a number into the stable key that stands for it: the number itself is never stored."""
    by_phone: dict[str, list[RosterEntry]] = defaultdict(list)
    for entry in entries:
        by_phone[entry.phone].append(entry)
    findings = []
    for phone, own in sorted(by_phone.items()):
        trainees = {entry.trainee_id for entry in own}
        if len(trainees) < SHARED_PHONE_MIN_TRAINEES:
            continue
        ordered = sorted(own, key=lambda entry: (entry.class_id, entry.enrollment_id))
        class_ids = sorted({entry.class_id for entry in own})
        subject = f"phone:{phone_key(phone)}"
        findings.append(Finding(SHARED_PHONE, tuple(class_ids), subject, subject, {
            "masked_phone": mask_phone(phone), "trainee_count": len(trainees), "row_count": len(ordered),
            "classes": _refs(classes, class_ids),
            "rows": [_roster_row(entry) for entry in ordered[:EVIDENCE_ROWS_MAX]],
        }))
    return findings


def repeat_training_findings(entries: Iterable[RosterEntry], classes: dict[int, ClassFacts]) -> list[Finding]:
    """The same person on two or more classes of the same occupation (code) and level: §8.2 allows subsidised
    training once per occupation and level (rules.subsidy_eligible refuses the second). A trainee who dropped out
    was not trained."""
    groups: dict[tuple[int, str, str], list[RosterEntry]] = defaultdict(list)
    for entry in entries:
        if entry.completion == DROPPED:
            continue
        facts = classes[entry.class_id]
        groups[(entry.trainee_id, facts.occupation_code, facts.occupation_level)].append(entry)
    findings = []
    for (trainee_id, code, level), own in sorted(groups.items()):
        if len(own) < 2:  # one enrollment per class (enrollment_once_per_class): two entries are two classes
            continue
        ordered = sorted(own, key=lambda entry: (classes[entry.class_id].start_date, entry.class_id))
        class_ids = [entry.class_id for entry in ordered]
        subject = f"trainee:{trainee_id}"
        findings.append(Finding(REPEAT_TRAINING, tuple(sorted(class_ids)), f"{subject}|occupation:{code}:{level}", subject, {
            "masked_id": mask_id_number(own[0].id_number), "occupation": classes[class_ids[0]].occupation_label,
            "classes": _refs(classes, class_ids),
            "rows": [_roster_row(entry) for entry in ordered],
        }))
    return findings


def _answers_digest(answers: tuple) -> str:
    return hashlib.sha256(repr(answers).encode()).hexdigest()[:16]


def burst_members(
    moments: list[datetime], *, minimum: int = IDENTICAL_FORMS_MIN, window: timedelta = IDENTICAL_FORMS_WINDOW
) -> set[int]:
    """Indexes (into ``moments``, sorted ascending) of the submissions that lie in some run of ``minimum`` or more
    whose first and last are at most ``window`` apart."""
    members: set[int] = set()
    first = 0
    for last in range(len(moments)):
        while moments[last] - moments[first] > window:
            first += 1
        if last - first + 1 >= minimum:
            members.update(range(first, last + 1))
    return members


def identical_forms_findings(forms: Iterable[FormFacts], classes: dict[int, ClassFacts]) -> list[Finding]:
    """IDENTICAL_FORMS_MIN or more valid online 附表2 of one class with the same answers (suggestions aside),
    submitted within IDENTICAL_FORMS_WINDOW: one phone filling the forms for absent or invented trainees.

    Decision: online forms only. A paper form's submission time is when county staff typed it in, so a window
    says nothing about who filled it."""
    groups: dict[tuple[int, tuple], list[FormFacts]] = defaultdict(list)
    for form in forms:
        groups[(form.class_id, form.answers)].append(form)
    findings = []
    for (class_id, answers), own in sorted(groups.items(), key=lambda item: (item[0][0], repr(item[0][1]))):
        ordered = sorted(own, key=lambda form: (form.submitted_at, form.form_id))
        members = burst_members([form.submitted_at for form in ordered])
        if not members:
            continue
        flagged = [ordered[index] for index in sorted(members)]
        findings.append(Finding(IDENTICAL_FORMS, (class_id,), f"answers:{_answers_digest(answers)}", f"class:{class_id}", {
            "answers": [value.isoformat() if isinstance(value, date) else value for value in answers],
            "count": len(flagged), "classes": _refs(classes, [class_id]),
            "first_at": flagged[0].submitted_at.isoformat(), "last_at": flagged[-1].submitted_at.isoformat(),
            "rows": [{"class_id": class_id, "form_id": form.form_id, **_person(form.roster_name, form.id_number),
                      "submitted_at": form.submitted_at.isoformat()} for form in flagged],
        }))
    return findings


def far_check_in_findings(check_ins: Iterable[CheckInFacts], classes: dict[int, ClassFacts], *, far_metres: int) -> list[Finding]:
    """A class's check-ins farther than ``far_metres`` from its registered site (geo.is_far, the attendance pages'
    own rule), one signal per class. Check-ins the county already dismissed on the attendance pages are not passed
    in: they are no longer evidence."""
    by_class: dict[int, list[CheckInFacts]] = defaultdict(list)
    for check_in in check_ins:
        if geo.is_far(check_in.distance_m, far_metres):
            by_class[check_in.class_id].append(check_in)
    findings = []
    for class_id, own in sorted(by_class.items()):
        ordered = sorted(own, key=lambda check_in: (-check_in.distance_m, check_in.day, check_in.check_in_id))
        findings.append(Finding(FAR_CHECK_INS, (class_id,), "check_ins", f"class:{class_id}", {
            "far_metres": far_metres, "count": len(ordered), "trainee_count": len({item.enrollment_id for item in own}),
            "max_distance_m": ordered[0].distance_m, "classes": _refs(classes, [class_id]),
            "rows": [{"class_id": class_id, "check_in_id": item.check_in_id, **_person(item.roster_name, item.id_number),
                      "date": item.day.isoformat(), "distance_m": item.distance_m} for item in ordered[:FAR_CHECK_INS_SHOWN]],
        }))
    return findings


def attendance_shortfall_findings(rows: Iterable[AttendanceFacts], classes: dict[int, ClassFacts]) -> list[Finding]:
    """Trainees of a finished class whose attendance fails §8.3 (rules.attendance_sufficient), one signal per class.
    The training days are the class's registered days (attendance_rules: start to end, both included)."""
    by_class: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        facts = classes[row.class_id]
        if facts.status != FINISHED:
            continue
        training_days = attendance_rules.training_days_through(facts.start_date, facts.end_date, facts.end_date)
        if rules.attendance_sufficient(row.attended_days, training_days) is False:
            by_class[row.class_id].append({
                "class_id": row.class_id, "enrollment_id": row.enrollment_id, **_person(row.roster_name, row.id_number),
                "attended_days": row.attended_days, "training_days": training_days,
            })
    return [
        Finding(ATTENDANCE_SHORTFALL, (class_id,), "attendance", f"class:{class_id}", {
            "count": len(own), "classes": _refs(classes, [class_id]),
            "rows": sorted(own, key=lambda row: (row["attended_days"], row["enrollment_id"])),
        })
        for class_id, own in sorted(by_class.items())
    ]


def followup_contradiction_findings(calls: Iterable[FollowupFacts], classes: dict[int, ClassFacts]) -> list[Finding]:
    """A completed follow-up call denying attendance or completion while the trainee's valid 附表2 says the class
    was completed (policy §5; followups.contradictions, the rule the follow-up pages use). One per trainee."""
    findings = []
    for call in sorted(calls, key=lambda call: (call.class_id, call.enrollment_id, call.item_id)):
        answers = CallAnswers(received_training=call.received_training, completed_training=call.completed_training)
        if not contradicts_form2(answers, call.form2_completed):
            continue
        key, subject = f"enrollment:{call.enrollment_id}", f"class:{call.class_id}"
        findings.append(Finding(FOLLOWUP_CONTRADICTION, (call.class_id,), key, subject, {
            "classes": _refs(classes, [call.class_id]),
            "rows": [{"class_id": call.class_id, "item_id": call.item_id, **_person(call.roster_name, call.id_number),
                      "problems": followup_problems(answers, call.form2_completed)}],
        }))
    return findings


def teacher_conflict_findings(pairs: Iterable[TeacherPair], classes: dict[int, ClassFacts]) -> list[Finding]:
    """One teacher on classes whose dates overlap, one finding per teacher with every overlapping pair."""
    by_teacher: dict[int, list[TeacherPair]] = defaultdict(list)
    for pair in pairs:
        by_teacher[pair.teacher_id].append(pair)
    findings = []
    for teacher_id, own in sorted(by_teacher.items()):
        class_ids = sorted({class_id for pair in own for class_id in (pair.first_class_id, pair.second_class_id)})
        subject = f"teacher:{teacher_id}"
        findings.append(Finding(TEACHER_CONFLICT, tuple(class_ids), subject, subject, {
            "teacher": {"name": own[0].teacher_name, "masked_id": own[0].masked_id},
            "classes": _refs(classes, class_ids),
            "pairs": sorted([pair.first_class_id, pair.second_class_id] for pair in own),
        }))
    return findings


def all_findings(facts: Facts, *, phone_key: Callable[[str], str], far_metres: int) -> list[Finding]:
    return [
        *id_overlap_findings(facts.enrollments, facts.classes),
        *shared_phone_findings(facts.enrollments, facts.classes, phone_key),
        *repeat_training_findings(facts.enrollments, facts.classes),
        *identical_forms_findings(facts.forms, facts.classes),
        *far_check_in_findings(facts.check_ins, facts.classes, far_metres=far_metres),
        *attendance_shortfall_findings(facts.attendance, facts.classes),
        *followup_contradiction_findings(facts.followups, facts.classes),
        *teacher_conflict_findings(facts.teacher_pairs, facts.classes),
    ]
