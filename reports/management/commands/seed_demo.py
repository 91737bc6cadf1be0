"""Demo data for a local run: idempotent, deterministic, and realistic enough to click through.

Running it twice changes nothing: every row is found by its natural key (batch number, ID number,
credit code, username) and the random generators are seeded. Each new class is told through the portal's
services with the clock set to its own dates (reports/demo/story.py), so that its 附表2, review history and
phone calls carry the days they happened on, not the day the demo was loaded.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, User
from accounts.second_factor.demo import demo_authenticators_ensure
from classes import services as classes
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
from reports.dashboards.services import class_figures_refresh
from reports.demo.clock import DemoClock, moment_on
from reports.demo.people import (
    ADMIN_NAME,
    AUDITOR_NAME,
    AUDITOR_OFFICE,
    COUNTY_PEOPLE,
    INSTITUTION_LOGIN_NAMES,
    INSTITUTION_STAFF,
    LEAGUE_OFFICE,
    LEAGUE_REVIEWER,
    county_office,
    with_office,
)
from reports.demo.story import Cast, ClassStory, Plan, designate_cases
from xingan_training.personal_data import id_number_digests

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
# The classes start over the CALENDAR_DAYS from FIRST_START_DAYS_AGO before today: most have finished,
# some are training, the last few start in the coming weeks.
FIRST_START_DAYS_AGO = 330
CALENDAR_DAYS = 345
# Who takes subsidised training in the league: mostly rural workers moving into jobs.
TRAINEE_CATEGORY_WEIGHTS = {
    "rural_migrant": 50, "poverty_monitoring": 10, "urban_registered_unemployed": 15, "hard_to_employ": 10,
    "college_graduate": 8, "school_leaver": 7,
}
SEED = 20261123


def _rng_for(key: str) -> random.Random:
    """One generator per natural key, so a re-run draws the same values whatever already exists."""
    return random.Random(f"{SEED}:{key}")


# The logins that must pass a second factor (accounts/second_factor/rules.py); the Makefile's `run` says how.
DEMO_SECOND_FACTOR_LOGINS = ["league", "county", "county2", "admin", "inspector", "auditor"]


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
        trainees_before = Trainee.objects.count()
        # The clock stops before the transaction commits, so on_commit work (queued draws) runs in real time.
        with transaction.atomic(), DemoClock() as clock:
            first_start = clock.today - timedelta(days=FIRST_START_DAYS_AGO)
            clock.move_to(moment_on(first_start - timedelta(days=90), _rng_for("offices")))  # offices set up
            occupations = self._occupations()
            institutions = self._institutions(occupations)
            casts = self._users(institutions)
            plans = self._plans(institutions, first_start=first_start, today=clock.today)
            existing = set(TrainingClass.objects.filter(batch_number__in=[plan.batch_number for plan in plans])
                           .values_list("batch_number", flat=True))
            cases = designate_cases(plans, today=clock.today, avoid_institution_ids={
                user.institution_id for user in User.objects.filter(username__in=INSTITUTION_LOGIN_NAMES)
            })
            for plan in plans:
                if plan.batch_number in existing:
                    continue  # told in an earlier run
                cast = casts[plan.institution.pk]
                training_class = self._open_class(plan, clock, cast.school)
                if plan.start_date <= clock.today:
                    ClassStory(training_class, plan, clock=clock, cast=cast, rng=_rng_for(f"story:{plan.batch_number}"),
                               case=cases.get(plan.batch_number, "")).tell()
        with transaction.atomic():
            self._supervision()
            # The staff logins pass the second factor with the published demo key (institutions may enrol themselves).
            demo_authenticators_ensure(usernames=DEMO_SECOND_FACTOR_LOGINS)
        class_figures_refresh()  # the dashboards show the demo at once, not after the first beat run
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据就绪：{Institution.objects.count()} 家机构，{TrainingClass.objects.count()} 个培训班，"
                f"{Trainee.objects.count()} 名学员（本次新增 {Trainee.objects.count() - trainees_before}）。"
            )
        )

    @staticmethod
    def _supervision() -> None:
        """The supervision side of the demo (policy §8), each part idempotent, on the classes told above."""
        from supervision.demo import seed_supervision_demo
        from supervision.demo_attendance import seed_attendance_demo
        from supervision.demo_inspections import seed_inspections_demo
        from supervision.demo_opening import seed_opening_demo
        from supervision.demo_performance import seed_performance_demo
        from supervision.demo_rectification import seed_rectification_demo
        from supervision.demo_signals import seed_signals_demo

        seed_supervision_demo(_rng_for("supervision"))
        seed_attendance_demo(_rng_for("attendance"))
        seed_rectification_demo(_rng_for("rectification"))
        seed_inspections_demo(_rng_for("inspections"))
        seed_opening_demo(_rng_for("opening"))  # after the teacher pool: the new classes name pool teachers
        seed_performance_demo(_rng_for("performance"))  # reads the year's classes, forms and follow-ups
        seed_signals_demo(_rng_for("signals"))  # last: plants its cases, then recomputes every class

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
                institution.county = county  # cached: plans and casts read it for every class
                institutions.append(institution)
        return institutions

    def _users(self, institutions: list[Institution]) -> dict[int, Cast]:
        """The demo logins and a staff account for every county and institution; returns each institution's cast."""
        league_region = Region.objects.get(code="152200")
        counties = {region.code: region for region in Region.objects.filter(level=Region.Level.COUNTY)}
        wulanhaote, tuquan = counties["152201"], counties["152224"]
        first_in = {county.code: next(i for i in institutions if i.county_id == county.pk) for county in (wulanhaote, tuquan)}
        demo_users = [
            ("league", with_office(LEAGUE_OFFICE, LEAGUE_REVIEWER), {"role": Role.LEAGUE, "region": league_region}),
            ("county", with_office(county_office(wulanhaote.name), COUNTY_PEOPLE["152201"].caller),
             {"role": Role.COUNTY, "region": wulanhaote}),
            ("county2", with_office(county_office(tuquan.name), COUNTY_PEOPLE["152224"].caller),
             {"role": Role.COUNTY, "region": tuquan}),
            ("institution", with_office(first_in["152201"].name, INSTITUTION_LOGIN_NAMES["institution"]),
             {"role": Role.INSTITUTION, "institution": first_in["152201"]}),
            ("institution2", with_office(first_in["152224"].name, INSTITUTION_LOGIN_NAMES["institution2"]),
             {"role": Role.INSTITUTION, "institution": first_in["152224"]}),
            ("auditor", with_office(AUDITOR_OFFICE, AUDITOR_NAME), {"role": Role.AUDITOR, "region": league_region}),
        ]
        # The demo logins share one published password: hashed once, since each hash costs PBKDF2's deliberate 0.4 s.
        password = make_password(settings.DEMO_PASSWORD)
        logins = {}
        for username, full_name, anchors in demo_users:
            user, _created = User.objects.get_or_create(
                username=username, defaults={"first_name": full_name, "password": password, **anchors}
            )
            logins[username] = user
        if not User.objects.filter(username="admin").exists():
            admin = User.objects.create_superuser("admin", "admin@xingan-training.local", None, first_name=ADMIN_NAME)
            admin.password = password
            admin.save(update_fields=["password"])

        # Every county and institution also has a staff account (no usable password) who signs its forms.
        officers, callers = {}, {"152201": logins["county"], "152224": logins["county2"]}
        for code, county in counties.items():
            officers[code] = self._staff(f"county-{code}", with_office(county_office(county.name), COUNTY_PEOPLE[code].officer),
                                         role=Role.COUNTY, region=county)
        keepers = {logins[username].institution_id: logins[username] for username in INSTITUTION_LOGIN_NAMES}
        casts = {}
        for index, institution in enumerate(institutions):
            school = self._staff(f"institution-{institution.pk}",
                                 with_office(institution.name, INSTITUTION_STAFF[index % len(INSTITUTION_STAFF)]),
                                 role=Role.INSTITUTION, institution=institution)
            code = institution.county.code
            casts[institution.pk] = Cast(
                league=logins["league"], officer=officers[code], caller=callers.get(code, officers[code]),
                head=COUNTY_PEOPLE[code].head, school=school, file_keeper=keepers.get(institution.pk, school),
            )
        return casts

    @staticmethod
    def _staff(username: str, full_name: str, **anchors) -> User:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name, **anchors})
        if created:
            user.set_unusable_password()
            user.save()
        return user

    def _plans(self, institutions: list[Institution], *, first_start: date, today: date) -> list[Plan]:
        licensed = {institution.pk: list(institution.licensed_occupations.order_by("code", "level")) for institution in institutions}
        plans = []
        for number in range(1, CLASSES_TOTAL + 1):
            institution = institutions[(number * 7) % len(institutions)]
            rng = _rng_for(f"class:{number}")
            occupation = rng.choice(licensed[institution.pk])
            start = first_start + timedelta(days=int((number - 1) * CALENDAR_DAYS / CLASSES_TOTAL) + rng.randrange(0, 3))
            end = start + timedelta(days=rng.choice((9, 14, 19, 29)))
            # Assessment ends up to a week after training; the demo keeps it before today, so the class has finished.
            assessment_end = min(end + timedelta(days=rng.randrange(0, 8)), today - timedelta(days=1)) if end < today else None
            plans.append(Plan(
                number=number,
                batch_number=f"XA{institution.county.code}-{start.year}-{number:03d}",
                institution=institution,
                county_code=institution.county.code,
                occupation=occupation,
                start_date=start,
                end_date=end,
                assessment_end_date=assessment_end,
                registered_headcount=rng.choice((30, 30, 35, 40)),
                class_hours=(end - start).days * 6,
                location=f"{institution.county.name}{rng.choice(['职教中心', '实训基地', '社区服务中心', '机构本部'])}",
            ))
        return plans

    def _open_class(self, plan: Plan, clock: DemoClock, school: User) -> TrainingClass:
        """The institution registers the class two to four weeks before it starts, with its roster."""
        rng = _rng_for(f"open:{plan.batch_number}")
        moment = moment_on(plan.start_date - timedelta(days=rng.randrange(14, 29)), rng)
        clock.move_to(min(moment, clock.now - timedelta(minutes=rng.randrange(60, 600))))
        training_class = classes.training_class_create(
            actor=school, batch_number=plan.batch_number, occupation=plan.occupation, category=plan.occupation.training_type,
            start_date=plan.start_date, end_date=plan.end_date, registered_headcount=plan.registered_headcount,
            class_hours=plan.class_hours, location=plan.location,
        )
        if plan.start_date <= clock.today or plan.number % 3:  # some classes still wait for their roster
            self._roster(training_class)
        return training_class

    def _roster(self, training_class: TrainingClass) -> None:
        categories = list(TraineeCategory.objects.filter(code__in=TRAINEE_CATEGORY_WEIGHTS).order_by("code"))
        weights = [TRAINEE_CATEGORY_WEIGHTS[category.code] for category in categories]
        rng = _rng_for(f"roster:{training_class.batch_number}")
        size = training_class.registered_headcount - rng.randrange(0, 6)
        people, new_trainees = [], []
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
                    category=rng.choices(categories, weights=weights)[0],
                )
            )
        Trainee.objects.bulk_create(new_trainees, ignore_conflicts=True, batch_size=500)
        ids = dict(Trainee.objects.filter(id_number_digest__in=id_number_digests(person[0] for person in people)).values_list("id_number", "id"))
        Enrollment.objects.bulk_create(
            [Enrollment(training_class=training_class, trainee_id=ids[number], roster_name=name, phone=phone)
             for number, name, phone in people],
            ignore_conflicts=True, batch_size=500,
        )
