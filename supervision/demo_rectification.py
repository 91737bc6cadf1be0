"""Demo data of the rectification ledger (policy §8.6), for seed_demo: items from every source but the 整改通知书
(seed_demo's classes issue and close those through the evaluation services, and the ledger follows them), in every
state — 整改中, sent back and 整改中 again, 待销号, 已整改 — some overdue, one with a PDF attachment, one about a class
whose evaluation the league approved.

Every step runs through the services at its own moment (the clock is held there with time-machine, never beyond
the real now), so the history carries the days it happened on. Idempotent: once the ledger holds an item of its
own, a second run changes nothing.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from weasyprint import HTML

from accounts.models import Role, User
from classes.demo_data import make_name
from classes.models import Institution, TrainingClass

from . import rectification as services
from .models import RectificationItem, RectificationSource

Source = RectificationSource
LEAGUE, COUNTY = "league", "county"
# The demo logins see the ledger first: their institutions carry most items.
PREFERRED_INSTITUTION_LOGINS = ("institution", "institution2")
PREFERRED_COUNTY_LOGINS = ("county", "county2")


@dataclass(frozen=True)
class Case:
    source: str
    raiser: str  # LEAGUE or COUNTY
    problem: str
    measures: str
    reference: str
    found_days_ago: int
    deadline_days: int  # after the finding
    steps: tuple[str, ...]  # "report", "report_with_file", "send_back", "close"
    position: str
    with_class: bool = False
    approved_class: bool = False


CASES = (
    Case(Source.AUDIT, LEAGUE,
         "审计发现该机构2025年度两个班次的学员签到表与考勤机记录不一致，涉及补贴资金3.2万元。",
         "逐一核对两个班次的签到记录和考勤数据，书面说明差异原因；不能说明的学员退回补贴资金；建立签到表与考勤机数据每日核对制度。",
         "兴安盟审计局审计报告（兴审报〔2026〕12号）", 75, 45, (), "校长"),
    Case(Source.ON_SITE_INSPECTION, COUNTY,
         "现场检查时实际到课学员18人，花名册登记30人，缺课学员未办理请假手续。",
         "核实12名缺课学员情况并补办请假手续；缺课超过规定的学员不计入补贴人数；完善每日考勤并留存影像。",
         "现场检查记录", 40, 20, ("report_with_file",), "教学主任", with_class=True),
    Case(Source.INSPECTION_TOUR, LEAGUE,
         "巡察反馈：培训教学计划与实际授课内容不符，部分实操课程改为理论讲授。",
         "按备案教学计划补足实操课时；今后调整教学计划须事先报旗县市人社部门备案。",
         "盟委第三巡察组反馈意见第5条", 20, 40, ("report",), "校长"),
    Case(Source.SPOT_CHECK, COUNTY,
         "抽查发现实训场地消防器材过期，安全出口被杂物堵塞。",
         "更换过期消防器材，清理安全出口，组织一次消防演练并留存记录。",
         "", 25, 45, ("report", "send_back"), "办公室主任"),
    Case(Source.THIRD_PARTY, LEAGUE,
         "第三方评估发现就业跟踪档案不完整，35%的结业学员缺少就业去向记录。",
         "补齐结业学员的就业去向、工资收入记录；明确专人每季度回访并更新档案。",
         "兴安盟职业技能培训第三方评估报告（2026年上半年）", 90, 30, ("report", "close"), "就业服务部主任"),
    Case(Source.SELF_CHECK, COUNTY,
         "自查发现该机构3名兼职教师的资质证书未在师资库备案，复印件未归档。",
         "补齐3名兼职教师的资质证书并报师资库确认；未取得证书的教师不得承担授课。",
         "", 10, 30, (), "教学主任"),
    Case(Source.FRAUD_SIGNAL, COUNTY,
         "核实欺诈信号：同一手机号登记在4名学员名下，经电话核实其中2人未实际参训。",
         "对未实际参训的2名学员取消补贴申领，已领补贴予以退回；报名时核验学员本人手机号。",
         "欺诈信号“一个手机号对应3名以上学员”", 50, 21, ("report", "send_back", "report"), "校长", with_class=True),
    Case(Source.ON_SITE_INSPECTION, COUNTY,
         "盟级复核通过后现场检查发现，该班实际培训场地与备案地址不一致。",
         "书面说明变更原因并补办备案变更手续；今后变更培训场地须事先报批。",
         "现场检查记录", 4, 30, ("close",), "校长", with_class=True, approved_class=True),
)
REPORTS = {
    Source.AUDIT: "已核对两个班次签到记录。",
    Source.ON_SITE_INSPECTION: "已逐一联系12名缺课学员，补办请假手续9人；3人缺课超过规定，已从补贴申领名单中删除。附补办的请假条和考勤记录。",
    Source.INSPECTION_TOUR: "已按备案教学计划补足实操课时24课时，补课签到表和教学日志已归档。",
    Source.SPOT_CHECK: "已更换消防器材。",
    Source.THIRD_PARTY: "已补齐126名结业学员的就业去向和工资收入记录，明确就业服务部专人每季度回访。",
    Source.FRAUD_SIGNAL: "已取消2名学员的补贴申领。",
}
SECOND_REPORTS = {
    Source.FRAUD_SIGNAL: "已取消2名学员的补贴申领并退回补贴3200元（附银行回单）；报名环节增加本人手机号短信验证。",
}
SEND_BACK_REASONS = {
    Source.SPOT_CHECK: "未见安全出口清理和消防演练的佐证，请补充照片和演练记录。",
    Source.FRAUD_SIGNAL: "未说明已领补贴的退回情况，请补充退款凭证。",
}
CLOSING_NOTES = {
    Source.THIRD_PARTY: "抽查20名学员的就业档案，记录完整，整改到位。",
    Source.ON_SITE_INSPECTION: "已补办备案变更手续，现场核实新场地符合实训要求，整改到位。",
}


def _evidence_pdf() -> SimpleUploadedFile:
    html = ("<html><body style='font-family: \"Noto Serif CJK SC\"'><h1>补办请假条及考勤记录</h1>"
            "<p>（演示用佐证材料）</p></body></html>")
    return SimpleUploadedFile("请假条及考勤记录.pdf", HTML(string=html).write_pdf(), content_type="application/pdf")


def _preferred(users: list[User], usernames) -> User:
    """The demo login among ``users`` when there is one (so it sees the ledger filled), else the first."""
    return next((user for user in users if user.username in usernames), users[0])


class _Story:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.now = timezone.localtime()
        leagues = list(User.objects.filter(role=Role.LEAGUE).order_by("pk"))
        if not leagues:
            raise ValueError("请先运行 seed_demo 创建盟级演示账号。")
        self.league = _preferred(leagues, ("league",))
        county_staff: dict[int, list[User]] = {}
        for user in User.objects.filter(role=Role.COUNTY).order_by("pk"):
            county_staff.setdefault(user.region_id, []).append(user)
        self.county_staff = {region: _preferred(users, PREFERRED_COUNTY_LOGINS) for region, users in county_staff.items()}
        school_staff: dict[int, list[User]] = {}
        for user in User.objects.filter(role=Role.INSTITUTION).order_by("pk"):
            school_staff.setdefault(user.institution_id, []).append(user)
        self.school_staff = {institution: _preferred(users, PREFERRED_INSTITUTION_LOGINS) for institution, users in school_staff.items()}
        preferred = set(User.objects.filter(username__in=PREFERRED_INSTITUTION_LOGINS).values_list("institution_id", flat=True))
        institutions = Institution.objects.filter(
            pk__in=school_staff, county_id__in=self.county_staff, county__parent_id=self.league.region_id
        ).order_by("county__code", "pk")
        self.institutions = sorted(institutions, key=lambda institution: institution.pk not in preferred)

    def _at(self, moment: datetime):
        return time_machine.travel(min(moment, self.now - timedelta(minutes=5)), tick=False)

    def _moment(self, days_ago: int, hours=(9, 17)) -> datetime:
        day = self.now.date() - timedelta(days=days_ago)
        minutes = self.rng.randrange(hours[0] * 60, hours[1] * 60)
        return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))

    def _class_of(self, institution: Institution, *, approved: bool) -> TrainingClass | None:
        """A class the finding is about: one the league approved, or one that has run and is not approved."""
        if approved:
            classes = TrainingClass.objects.filter(institution=institution, review__status="approved")
        else:
            classes = TrainingClass.objects.filter(
                institution=institution, status__in=(TrainingClass.Status.IN_TRAINING, TrainingClass.Status.FINISHED)
            ).exclude(review__status="approved")
        return classes.order_by("-end_date", "pk").first()

    def tell(self, index: int, case: Case) -> None:
        institution = self._pick(index, case)
        if institution is None:
            return
        office = self.league if case.raiser == LEAGUE else self.county_staff[institution.county_id]
        school = self.school_staff[institution.pk]
        training_class = self._class_of(institution, approved=case.approved_class) if case.with_class else None
        found = case.found_days_ago
        with self._at(self._moment(found)):
            item = services.rectification_item_raise(
                actor=office, institution=institution, training_class=training_class, source=case.source,
                source_reference=case.reference, problem=case.problem, measures=case.measures,
                deadline=timezone.localdate() + timedelta(days=case.deadline_days), found_on=timezone.localdate(),
                responsible_name=make_name(self.rng), responsible_position=case.position,
            )
        day = found
        for step in case.steps:
            day = max(day - self.rng.randrange(3, 9), 1)
            with self._at(self._moment(day)):
                if step in ("report", "report_with_file"):
                    again = item.status == RectificationItem.Status.OPEN and item.return_reason
                    text = SECOND_REPORTS[case.source] if again else REPORTS[case.source]
                    files = [_evidence_pdf()] if step == "report_with_file" else []
                    item = services.rectification_evidence_submit(actor=school, item=item, text=text, files=files)
                elif step == "send_back":
                    item = services.rectification_item_send_back(actor=office, item=item, reason=SEND_BACK_REASONS[case.source])
                else:
                    item = services.rectification_item_close(actor=office, item=item, note=CLOSING_NOTES[case.source])

    def _pick(self, index: int, case: Case) -> Institution | None:
        if case.approved_class:
            approved = [institution for institution in self.institutions if self._class_of(institution, approved=True)]
            return approved[0] if approved else None
        if case.with_class:
            with_classes = [institution for institution in self.institutions if self._class_of(institution, approved=False)]
            return with_classes[index % len(with_classes)] if with_classes else None
        return self.institutions[index % len(self.institutions)] if self.institutions else None


@transaction.atomic
def seed_rectification_demo(rng: random.Random) -> dict[str, int]:
    """Runs after seed_demo (staff accounts, institutions, classes). Returns the ledger's figures."""
    if not RectificationItem.objects.exclude(source=Source.CLASS_EVALUATION).exists():
        story = _Story(rng)
        for index, case in enumerate(CASES):
            story.tell(index, case)
    today = timezone.localdate()
    items = RectificationItem.objects.all()
    return {
        "items": items.count(),
        "ledger_items": items.exclude(source=Source.CLASS_EVALUATION).count(),
        "open": items.filter(status=RectificationItem.Status.OPEN).count(),
        "submitted": items.filter(status=RectificationItem.Status.SUBMITTED).count(),
        "closed": items.filter(status=RectificationItem.Status.CLOSED).count(),
        "overdue": items.filter(status__in=RectificationItem.UNRESOLVED_STATUSES, deadline__lt=today).count(),
    }
