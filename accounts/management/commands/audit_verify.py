"""Walk the audit chain (or an archive file) and report the first missing or edited record; exit 1 if any."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.audit_archive import BATCH_SIZE, audit_archive_verify, audit_chain_verify


class Command(BaseCommand):
    help = "校验审计记录链（或归档文件）：报告第一条缺失或被修改的记录，有问题时以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--archive", type=Path, help="校验一个归档文件（.jsonl.gz），而不是数据库中的记录")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, archive=None, batch_size=BATCH_SIZE, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 必须是正整数")
        report = audit_archive_verify(archive) if archive else audit_chain_verify(batch_size=batch_size)
        where = f"归档文件 {archive} " if archive else "审计记录表"
        if report.problem is not None:
            raise CommandError(f"{where}校验未通过：{report.problem.problem}（已核对 {report.checked} 条）")
        if report.checked == 0:
            self.stdout.write(f"{where}中没有记录。")
            return
        self.stdout.write(
            f"{where}校验通过：第 {report.first_sequence} 至 {report.last_sequence} 条，共 {report.checked} 条，"
            f"末条哈希 {report.last_hash}"
        )
