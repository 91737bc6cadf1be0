"""Demo data for a local run: idempotent, deterministic, and realistic enough to click through.

Running it twice changes nothing: every row is found by its natural key (batch number, ID number,
credit code, username) and the random generator is seeded.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from classes.demo_data import LEAGUE_AREA_CODES, make_credit_code, make_mobile, make_name, make_resident_id
from classes.models import (
    Enrollment,
    Institution,
    Occupation,
    Region,
    Trainee,
    TraineeCategory,
    TrainingCategory,
    TrainingClass,
)

OCCUPATIONS = [
    # code, name, level, training type, subsidy, urgent
    ("4-03-02-01", "中式烹调师", "4", TrainingCategory.EMPLOYMENT_SKILLS, "1800", False),
    ("4-10-01-06", "家政服务员", "5", TrainingCategory.EMPLOYMENT_SKILLS, "1200", True),
    ("4-10-01-05", "养老护理员", "4", TrainingCategory.EMPLOYMENT_SKILLS, "1600", True),
    ("4-10-01-02", "育婴员", "5", TrainingCategory.EMPLOYMENT_SKILLS, "1200", False),
    ("6-31-01-03", "电工", "4", TrainingCategory.JOB_SKILLS_UPGRADE, "2000", True),
    ("6-18-02-04", "焊工", "4", TrainingCategory.JOB_SKILLS_UPGRADE, "2000", True),
    ("5-03-01-01", "家畜繁殖员", "5", TrainingCategory.EMPLOYMENT_SKILLS, "1000", False),
    ("5-01-02-01", "农作物植保员", "5", TrainingCategory.EMPLOYMENT_SKILLS, "1000", False),
    ("4-13-01-02", "电子商务师", "4", TrainingCategory.EMPLOYMENT_SKILLS, "1500", True),
    ("6-29-01-06", "挖掘机驾驶员", "special", TrainingCategory.EMPLOYMENT_SKILLS, "1400", False),
    ("4-10-03-01", "美容师", "5", TrainingCategory.EMPLOYMENT_SKILLS, "1200", False),
    ("CY-SYB", "创办你的企业（SYB）", "special", TrainingCategory.ENTREPRENEURSHIP, "1000", False),
]
INSTITUTION_KINDS = ("职业技能培训学校", "职业培训学校", "技工学校", "家政服务培训中心")
DEMO_INSTITUTIONS_PER_COUNTY = (5, 3, 3, 3, 3, 3)  # 乌兰浩特 has the most schools
CLASSES_TOTAL = 100
SEED = 20261123


def _rng_for(key: str) -> random.Random:
    """One generator per natural key, so a re-run draws the same values whatever already exists."""
    return random.Random(f"{SEED}:{key}")


class Command(BaseCommand):
    help = "Loads demo institutions, classes, trainees and the demo logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="load demo data even with production settings (SECRET_KEY or HTTPS set)"
        )

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION and not options["force"]:
            # Demo logins share one published password: never create them on a real system by accident.
            raise CommandError("当前为生产环境配置（已设置 SECRET_KEY 或 HTTPS），拒绝写入演示数据；确需写入请加 --force。")
        with transaction.atomic():
            occupations = self._occupations()
            institutions = self._institutions(occupations)
            classes = self._classes(institutions)
            trainee_count = self._rosters(classes)
            self._users(institutions)
            self._evaluations(classes)
            self._employment(classes)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据就绪：{Institution.objects.count()} 家机构，{TrainingClass.objects.count()} 个培训班，"
                f"{Trainee.objects.count()} 名学员（本次新增 {trainee_count}）。"
            )
        )

    def _occupations(self) -> list[Occupation]:
        occupations = []
        for code, name, level, training_type, subsidy, urgent in OCCUPATIONS:
            occupation, _ = Occupation.objects.get_or_create(
                code=code,
                level=level,
                defaults={
                    "name": name,
                    "training_type": training_type,
                    "subsidy_per_person": Decimal(subsidy),
                    "is_urgent": urgent,
                },
            )
            occupations.append(occupation)
        return occupations

    def _institutions(self, occupations: list[Occupation]) -> list[Institution]:
        counties = {region.code: region for region in Region.objects.filter(code__in=LEAGUE_AREA_CODES)}
        institutions = []
        for area_code, count in zip(LEAGUE_AREA_CODES, DEMO_INSTITUTIONS_PER_COUNTY):
            county = counties[area_code]
            short = county.name.replace("科尔沁右翼", "科右").rstrip("市县旗")
            for index in range(count):
                name = f"{short}{['鸿达', '兴业', '启航', '惠民', '科尔沁', '金秋'][index]}{INSTITUTION_KINDS[index % 4]}"
                rng = _rng_for(name)
                institution, created = Institution.objects.get_or_create(
                    name=name,
                    defaults={
                        "credit_code": make_credit_code(rng, area_code=area_code),
                        "county": county,
                        "address": f"{county.name}{rng.choice(['兴安', '和平', '胜利', '团结'])}路{rng.randrange(1, 300)}号",
                        "contact_person": make_name(rng),
                        "contact_phone": make_mobile(rng),
                    },
                )
                if created:
                    licensed = rng.sample(occupations[:-1], 4) + [occupations[-1]]
                    institution.licensed_occupations.set(licensed)
                institutions.append(institution)
        return institutions

    def _classes(self, institutions: list[Institution]) -> list[TrainingClass]:
        today = timezone.localdate()
        year_start = date(today.year, 1, 5)
        classes = []
        for number in range(1, CLASSES_TOTAL + 1):
            institution = institutions[(number * 7) % len(institutions)]
            batch_number = f"XA{institution.county.code}-{today.year}-{number:03d}"
            rng = _rng_for(batch_number)
            existing = TrainingClass.objects.filter(batch_number=batch_number).first()
            if existing:
                classes.append(existing)
                continue
            occupation = rng.choice(list(institution.licensed_occupations.all()))
            start = year_start + timedelta(days=int((number - 1) * 345 / CLASSES_TOTAL) + rng.randrange(0, 3))
            end = start + timedelta(days=rng.choice((9, 14, 19, 29)))
            status, assessment_end = self._status_for(start, end, today, rng)
            classes.append(
                TrainingClass.objects.create(
                    batch_number=batch_number,
                    institution=institution,
                    occupation=occupation,
                    category=occupation.training_type,
                    start_date=start,
                    end_date=end,
                    assessment_end_date=assessment_end,
                    registered_headcount=rng.choice((30, 30, 35, 40)),
                    class_hours=(end - start).days * 6,
                    location=f"{institution.county.name}{rng.choice(['职教中心', '实训基地', '社区服务中心', '机构本部'])}",
                    status=status,
                )
            )
        return classes

    @staticmethod
    def _status_for(start: date, end: date, today: date, rng: random.Random):
        if start > today:
            return TrainingClass.Status.DRAFT, None
        if end >= today:
            return TrainingClass.Status.IN_TRAINING, None
        assessment_end = min(end + timedelta(days=rng.randrange(1, 8)), today)
        return TrainingClass.Status.FINISHED, assessment_end

    def _rosters(self, classes: list[TrainingClass]) -> int:
        categories = list(TraineeCategory.objects.all())
        enrolled_class_ids = set(Enrollment.objects.values_list("training_class_id", flat=True).distinct())
        new_trainees, planned = [], []
        for training_class in classes:
            if training_class.pk in enrolled_class_ids:
                continue
            rng = _rng_for(f"roster:{training_class.batch_number}")
            size = training_class.registered_headcount - rng.randrange(0, 6)
            if training_class.status == TrainingClass.Status.DRAFT and training_class.pk % 3 == 0:
                size = 0  # some classes still waiting for their roster
            people = []
            for _ in range(size):
                gender = rng.choice(("male", "female"))
                id_number = make_resident_id(rng, area_code=training_class.institution.county.code, gender=gender)
                name = make_name(rng)
                people.append((id_number, name, make_mobile(rng)))
                new_trainees.append(
                    Trainee(
                        id_number=id_number,
                        name=name,
                        gender=gender,
                        birth_date=date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
                        category=rng.choice(categories),
                    )
                )
            planned.append((training_class, people))
        before = Trainee.objects.count()
        Trainee.objects.bulk_create(new_trainees, ignore_conflicts=True, batch_size=500)
        ids = dict(Trainee.objects.values_list("id_number", "id"))
        enrollments = []
        for training_class, people in planned:
            completion = (
                Enrollment.Completion.COMPLETED
                if training_class.status == TrainingClass.Status.FINISHED
                else Enrollment.Completion.ENROLLED
            )
            enrollments.extend(
                Enrollment(training_class=training_class, trainee_id=ids[number], roster_name=name, phone=phone,
                           completion=completion)
                for number, name, phone in people
            )
        Enrollment.objects.bulk_create(enrollments, ignore_conflicts=True, batch_size=500)
        return Trainee.objects.count() - before

    def _users(self, institutions: list[Institution]) -> None:
        league = Region.objects.get(code="152200")
        wulanhaote = Region.objects.get(code="152201")
        tuquan = Region.objects.get(code="152224")
        first_in = {county: next(i for i in institutions if i.county_id == county.pk) for county in (wulanhaote, tuquan)}
        demo_users = [
            ("league", "盟就业服务中心 张审核", {"role": Role.LEAGUE, "region": league}),
            ("county", "乌兰浩特市人社局 李科员", {"role": Role.COUNTY, "region": wulanhaote}),
            ("county2", "突泉县人社局 王科员", {"role": Role.COUNTY, "region": tuquan}),
            ("institution", f"{first_in[wulanhaote].name} 赵老师", {"role": Role.INSTITUTION, "institution": first_in[wulanhaote]}),
            ("institution2", f"{first_in[tuquan].name} 孙老师", {"role": Role.INSTITUTION, "institution": first_in[tuquan]}),
        ]
        for username, full_name, anchors in demo_users:
            user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name, **anchors})
            if created:
                user.set_password(settings.DEMO_PASSWORD)
                user.save()
        # Every other county and institution gets a staff account too (no usable password): the demo's
        # review history needs an actor for each of them.
        for county in Region.objects.filter(level=Region.Level.COUNTY):
            self._staff(f"county-{county.code}", f"{county.name}人社局", role=Role.COUNTY, region=county)
        for institution in institutions:
            self._staff(f"institution-{institution.pk}", f"{institution.name} 教务", role=Role.INSTITUTION,
                        institution=institution)
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@xingan-training.local", settings.DEMO_PASSWORD, first_name="系统管理员")

    @staticmethod
    def _followups(training_class: TrainingClass, caller: User, rng: random.Random, *, complete_all: bool) -> None:
        """Draws the class's sample and phones it: everyone for forwarded classes, some for the others."""
        from followups import services as followups

        sample = followups.followup_sample_draw(training_class_id=training_class.pk, trigger="manual", actor=caller)
        for item in list(sample.items.all()):
            if not complete_all and rng.random() < 0.5:
                followups.call_attempt_record(actor=caller, item=item, outcome=rng.choice(("no_answer", "powered_off")))
                continue
            followups.call_attempt_record(
                actor=caller, item=item, outcome="completed",
                answers={"received_training": True, "completed_training": True, "satisfaction": rng.choice(("excellent", "good")),
                         "employment_status": rng.choice(("employee", "flexible", "self_employed", "unemployed", "business")),
                         "employer": rng.choice(("乌兰浩特市某酒店", "兴安盟某养老院", "自营", "")),
                         "monthly_wage": rng.choice((None, 2800, 3500, 4200)), "skill_improvement": "掌握了基本操作",
                         "suggestions": ""},
            )

    def _employment(self, classes: list[TrainingClass]) -> None:
        """The institutions' employment tracking files: most completed trainees of finished classes."""
        from followups.models import EmploymentRecord

        recorded = set(EmploymentRecord.objects.values_list("enrollment_id", flat=True))
        school_staff_of = {user.institution_id: user for user in User.objects.filter(username__startswith="institution-")}
        records = []
        for training_class in classes:
            if training_class.status != TrainingClass.Status.FINISHED:
                continue
            rng = _rng_for(f"employment:{training_class.batch_number}")
            staff = school_staff_of[training_class.institution_id]
            business = training_class.category == "entrepreneurship"
            for enrollment_id in training_class.enrollments.values_list("id", flat=True):
                if enrollment_id in recorded or rng.random() < 0.2:
                    continue
                destination = rng.choices(
                    ("employee", "self_employed", "flexible", "business", "unemployed"),
                    weights=(5, 2, 3, 1, 6) if not business else (2, 2, 2, 1, 10),
                )[0]
                records.append(EmploymentRecord(
                    enrollment_id=enrollment_id, destination=destination, source=EmploymentRecord.Source.INSTITUTION,
                    employer="" if destination == "unemployed" else rng.choice(("兴安盟某物业公司", "个体经营", "乌兰浩特市某餐饮店")),
                    monthly_wage=None if destination == "unemployed" else rng.choice((2600, 3000, 3600, 4500)),
                    skill_improvement=rng.choice(("取得职业技能等级证书", "技能明显提升", "")), updated_by=staff,
                ))
        EmploymentRecord.objects.bulk_create(records, ignore_conflicts=True)

    @staticmethod
    def _staff(username: str, full_name: str, **anchors) -> User:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name, **anchors})
        if created:
            user.set_unusable_password()
            user.save()
        return user

    def _evaluations(self, classes: list[TrainingClass]) -> None:
        """Finished classes spread over every review state; classes in training get a phone link."""
        from evaluations import services as review
        from evaluations.items import CLASS_ITEM_FIELDS, TRAINEE_ITEM_FIELDS
        from evaluations.models import ClassReview, EvaluationLink, TraineeEvaluation
        from evaluations.selectors import class_evaluation_summary

        league = User.objects.get(username="league")
        county_staff_of = {user.region_id: user for user in User.objects.filter(username__startswith="county-")}
        school_staff_of = {user.institution_id: user for user in User.objects.filter(username__startswith="institution-")}
        reviewed = set(ClassReview.objects.values_list("training_class_id", flat=True))
        linked = set(EvaluationLink.objects.values_list("training_class_id", flat=True))
        today = timezone.localdate()
        finished = [c for c in classes if c.status == TrainingClass.Status.FINISHED]
        for index, training_class in enumerate(finished):
            county_staff = county_staff_of[training_class.institution.county_id]
            school_staff = school_staff_of[training_class.institution_id]
            if training_class.pk in reviewed:
                continue
            rng = _rng_for(f"evaluation:{training_class.batch_number}")
            stage = index % 6  # 0 none, 1 self-evaluated, 2 verified, 3 forwarded, 4 approved, 5 returned
            if stage == 0:
                continue
            profile = rng.choice(("good", "good", "outstanding", "outstanding", "rectify", "investigate"))
            weights = {
                "good": (55, 35, 8, 2), "outstanding": (95, 5, 0, 0), "rectify": (50, 20, 30, 0), "investigate": (60, 15, 10, 15),
            }[profile]
            forms = []
            for enrollment in training_class.enrollments.all():
                if rng.random() > 0.92:
                    continue  # a few trainees never returned the form
                overall = rng.choices(("excellent", "good", "fair", "poor"), weights=weights)[0]
                forms.append(TraineeEvaluation(
                    enrollment=enrollment, overall=overall, source=rng.choice(("online", "online", "paper")),
                    entered_by=None, completed_training=True, attended_from=training_class.start_date,
                    attended_to=training_class.end_date, attended_amount=training_class.class_hours,
                    organiser_name=training_class.institution.name, occupation_name=training_class.occupation.name,
                    is_confirmed=True, signed_on=training_class.end_date,
                    **{name: rng.choices(("excellent", "good", "fair"), weights=(6, 3, 1))[0] for name in TRAINEE_ITEM_FIELDS},
                ))
            for form in forms:
                if form.source == "paper":
                    form.entered_by = county_staff
            TraineeEvaluation.objects.bulk_create(forms)
            ratings = {name: rng.choice(("excellent", "good")) for name in CLASS_ITEM_FIELDS}
            review.self_assessment_submit(actor=school_staff, training_class=training_class, ratings=ratings,
                                          overall="excellent", evaluator="教务负责人",
                                          evaluated_on=training_class.end_date)
            if stage == 1:
                continue
            # The county settles investigations before it verifies (policy §6.7), so the verdict agrees with them.
            grade = class_evaluation_summary(training_class).grade
            failed = False
            if grade.needs_investigation:
                investigation = review.investigation_open(actor=county_staff, training_class=training_class,
                                                          findings="部分学员评价为“差”，核实实际到课情况")
                failed = rng.random() < 0.5
                review.investigation_conclude(
                    actor=county_staff, investigation=investigation, is_confirmed=failed,
                    findings="抽查签到表并电话询问学员" if failed else "走访学员，确认已正常参训",
                    reason="签到表存在代签，实际到课人数少于报送人数" if failed else "学员误选评价等级",
                )
            if grade.needs_rectification:
                review.rectification_issue(actor=county_staff, training_class=training_class,
                                           requirements="补充实操课时，完善教学日志和学员签到记录", deadline=today + timedelta(days=30))
            review.county_verification_submit(
                actor=county_staff, training_class=training_class, ratings={name: "good" for name in CLASS_ITEM_FIELDS},
                overall="good", evaluator="经办人", evaluated_on=training_class.assessment_end_date,
                is_qualified=not failed, passing_trainees=len(forms), responsible_person="分管负责人",
                verified_on=training_class.assessment_end_date,
            )
            self._followups(training_class, county_staff, rng, complete_all=stage >= 3)
            if stage == 2:
                continue
            review.review_forward(actor=county_staff, training_class=training_class)
            if stage == 4:
                review.review_approve(actor=league, training_class=training_class)
            elif stage == 5:
                review.review_return(actor=league, training_class=training_class,
                                     reason="请补充电话回访记录，并核对初审合格人数")
        for training_class in classes:
            if training_class.status == TrainingClass.Status.IN_TRAINING and training_class.pk not in linked:
                review.evaluation_link_create(actor=county_staff_of[training_class.institution.county_id],
                                              training_class=training_class)
