"""Loads a region-scale data set for benchmarks (issue #12): ``manage.py seed_scale``. Not part of ``make run``.

Default: 100,000 classes over ten years, ~3M trainees and enrollments, ~2.5M 附表2, reviews in every state,
follow-ups, employment records, opening reviews, inspections, rectification items, the teacher pool, the
performance evaluations and red/black list, attendance of the classes training now, the ClassFigures rows, and
the bench logins (password Xingan@Scale2026 or $SCALE_PASSWORD). PostgreSQL only; see README "Region-scale data".
"""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import AuditEvent, User
from accounts.second_factor.demo import demo_authenticators_ensure
from classes.models import MAX_REGISTERED_HEADCOUNT, Institution, Occupation, Trainee, TrainingClass
from evaluations.models import RectificationNumberCounter
from reports.dashboards.models import FiguresRefresh
from supervision.models import Teacher
from reports.scale.loader import SCALE_LOGINS, ScaleLoader, vacuum_analyze

DEFAULT_PASSWORD = "Xingan@Scale2026"


def flush_portal_data() -> None:
    """Empties every table of portal data and keeps what the migrations wrote (regions, trainee categories,
    list kinds): TRUNCATE … CASCADE from the roots every other row hangs on."""
    roots = [User, Institution, Occupation, Trainee, TrainingClass, Teacher, RectificationNumberCounter, FiguresRefresh]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(model._meta.db_table) for model in roots)
                       + " RESTART IDENTITY CASCADE")


class Command(BaseCommand):
    help = "Loads a region-scale data set into PostgreSQL with COPY (benchmarks; refuses SQLite and non-empty databases)."

    def add_arguments(self, parser):
        parser.add_argument("--classes", type=int, default=100_000, help="number of classes (default 100000)")
        parser.add_argument("--trainees-per-class", type=int, default=30, help="mean roster size (default 30)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed: the same seed gives the same data")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--append", action="store_true", help="add to a database that already holds classes")
        mode.add_argument("--flush", action="store_true", help="empty every table first (manage.py flush)")
        parser.add_argument("--no-vacuum", action="store_true", help="skip the final VACUUM ANALYZE")
        parser.add_argument("--force", action="store_true", help="run even with production settings")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("规模数据只能载入 PostgreSQL（需要 COPY），当前数据库为 "
                               f"{connection.vendor}；请设置 DATABASE_URL=postgres://…")
        if settings.IS_PRODUCTION and not options["force"]:
            raise CommandError("当前为生产环境配置（已设置 SECRET_KEY 或 HTTPS），拒绝写入规模测试数据；确需写入请加 --force。")
        if options["classes"] < 1:
            raise CommandError("--classes 至少为 1。")
        if not 1 <= options["trainees_per_class"] <= MAX_REGISTERED_HEADCOUNT * 2 // 3:
            raise CommandError(f"--trainees-per-class 须在 1 到 {MAX_REGISTERED_HEADCOUNT * 2 // 3} 之间"
                               f"（每班不超过 {MAX_REGISTERED_HEADCOUNT} 人）。")
        if options["flush"]:
            if AuditEvent.objects.exists():
                # The audit table is append-only (its trigger refuses TRUNCATE): a database that has been used keeps
                # its audit records, and so cannot be emptied for a benchmark load.
                raise CommandError("数据库中已有审计记录（只能追加，不能清空），不能用 --flush 清空；请在新建的空数据库中载入。")
            flush_portal_data()
        elif TrainingClass.objects.exists() and not options["append"]:
            raise CommandError("数据库中已有培训班数据：追加请加 --append，清空后重新载入请加 --flush。")
        if not options["append"] and User.objects.filter(username__in=SCALE_LOGINS).exists():
            raise CommandError("规模测试账号（scale_league 等）已存在，不能重复载入；请加 --flush 重新载入。")
        password = os.environ.get("SCALE_PASSWORD") or DEFAULT_PASSWORD
        started = time.monotonic()
        write = self.stdout.write if options["verbosity"] > 0 else (lambda line: None)
        write(f"载入规模数据：{options['classes']:,} 个培训班，平均每班 {options['trainees_per_class']} 人，"
                          f"种子 {options['seed']}")
        loader = ScaleLoader(classes=options["classes"], trainees_per_class=options["trainees_per_class"],
                             seed=options["seed"], password=password, write=write)
        loader.run()
        # The published demo key, like the published password: whoever measures or walks the loaded portal passes
        # the staff logins' second factor with `manage.py demo_code`.
        demo_authenticators_ensure(usernames=list(SCALE_LOGINS))
        if not options["no_vacuum"]:
            vacuum_analyze(write)
        write(self.style.SUCCESS(
            f"完成：{time.monotonic() - started:.0f} 秒。登录名 {', '.join(SCALE_LOGINS)}；"
            "第二重验证码：manage.py demo_code。"))
