"""Restore a backup tar file into an empty PostgreSQL database (xingan_training/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xingan_training.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "把备份文件恢复到一个空的 PostgreSQL 数据库（拒绝非空数据库），并把文件恢复到文件目录。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="manage.py backup 写出的 .tar 文件")
        parser.add_argument("--database-url", required=True, help="目标数据库，例如 postgres://user@host:5432/新库")
        parser.add_argument("--media-root", type=Path, help="文件恢复到的目录（默认 MEDIA_ROOT）")

    def handle(self, *args, file, database_url, media_root=None, **options):
        try:
            result = backup_restore(path=file, database_url=database_url, media_root=media_root)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"已恢复：{result.tables} 张表，{result.rows} 行，{result.files} 个文件；行数与清单一致。")
