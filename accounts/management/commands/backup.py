"""Back up the database, the uploaded and generated files and a manifest into one tar file (xingan_training/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xingan_training.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份：PostgreSQL 数据库（pg_dump 自定义格式）、MEDIA_ROOT 中的文件和清单，写成 BACKUP_DIR 中的一个 tar 文件。"

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, help="备份目录（默认 BACKUP_DIR）")

    def handle(self, *args, directory=None, **options):
        try:
            path = backup_create(directory=directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(path))
