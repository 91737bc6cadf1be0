"""Backups that restore: the PostgreSQL database (pg_dump custom format), the files under MEDIA_ROOT and a manifest
with every table's row count and every file's SHA-256, in one tar file; and their restore into an empty database.

The row counts and the dump come from one snapshot (pg_export_snapshot), so the manifest describes exactly what the
dump holds even while the portal keeps writing. A restore checks every checksum before it touches anything, refuses
a database that holds any table, restores in one transaction, then compares the row counts with the manifest.
"""

import hashlib
import json
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import dj_database_url
import psycopg
from psycopg import sql
from django.conf import settings
from django.utils import timezone

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA_PREFIX = "media/"
FORMAT_VERSION = 1


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class RestoreResult:
    tables: int
    rows: int
    files: int


def _connection_keywords(settings_dict: dict) -> dict:
    if settings_dict.get("ENGINE") != "django.db.backends.postgresql":
        raise BackupError("备份与恢复只支持 PostgreSQL 数据库")
    keywords = {"dbname": settings_dict.get("NAME"), "user": settings_dict.get("USER"),
                "password": settings_dict.get("PASSWORD"), "host": settings_dict.get("HOST"),
                "port": str(settings_dict.get("PORT") or "")}
    return {key: value for key, value in keywords.items() if value}


def _libpq_environment(keywords: dict) -> dict:
    # The password travels in the environment of pg_dump/pg_restore, never on their command line (ps shows that).
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"}
    return {**os.environ, **{names[key]: value for key, value in keywords.items()}}


def _run(command: list[str], keywords: dict) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, env=_libpq_environment(keywords), capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(f"找不到 {command[0]}：请安装与数据库同版本的 PostgreSQL 客户端（postgresql-client）") from error


def _sha256(path: Path) -> str:
    with path.open("rb") as content:
        return hashlib.file_digest(content, "sha256").hexdigest()


def _user_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [name for (name,) in cursor.fetchall()]


def table_row_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in _user_tables(cursor):
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(path for path in media_root.rglob("*") if path.is_file() and not path.is_symlink())


def backup_create(*, directory: Path | None = None, media_root: Path | None = None) -> Path:
    """Write one backup tar file into BACKUP_DIR (or ``directory``) and return its path. Called by ``manage.py backup``."""
    keywords = _connection_keywords(settings.DATABASES["default"])
    directory = Path(directory or settings.BACKUP_DIR)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    target = directory / f"xingan-backup-{stamp}.tar"
    with tempfile.TemporaryDirectory(dir=directory) as work:
        dump = Path(work) / DUMP
        with psycopg.connect(**keywords, autocommit=True) as snapshot_holder, snapshot_holder.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = table_row_counts(cursor)
            completed = _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", "--no-password"],
                             keywords)
            cursor.execute("ROLLBACK")
        if completed.returncode != 0:
            raise BackupError(f"pg_dump 失败：{completed.stderr.strip()}")
        files = _media_files(media_root)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "database": keywords.get("dbname", ""),
            "tables": counts,
            "dump_sha256": _sha256(dump),
            "media": [{"path": path.relative_to(media_root).as_posix(), "size": path.stat().st_size,
                       "sha256": _sha256(path)} for path in files],
        }
        manifest_path = Path(work) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        partial = Path(work) / "backup.tar"
        with tarfile.open(partial, "w") as archive:
            archive.add(manifest_path, arcname=MANIFEST)
            archive.add(dump, arcname=DUMP)
            for path, entry in zip(files, manifest["media"], strict=True):
                archive.add(path, arcname=MEDIA_PREFIX + entry["path"])
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        partial.rename(target)
    return target


def _safe_media_path(name: str) -> str:
    relative = PurePosixPath(name[len(MEDIA_PREFIX):])
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupError(f"备份文件含有不安全的路径：{name}")
    return relative.as_posix()


def _read_and_check(archive: tarfile.TarFile, work: Path) -> dict:
    """Extract the backup into ``work`` after checking its members; verify every checksum against the manifest."""
    members = archive.getmembers()
    for member in members:
        if not member.isfile() or not (member.name in (MANIFEST, DUMP) or member.name.startswith(MEDIA_PREFIX)):
            raise BackupError(f"备份文件含有意外的内容：{member.name}")
        if member.name.startswith(MEDIA_PREFIX):
            _safe_media_path(member.name)
    try:
        manifest = json.loads(archive.extractfile(MANIFEST).read().decode("utf-8"))
    except (KeyError, ValueError) as error:
        raise BackupError("备份文件缺少有效的清单 manifest.json") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')}")
    archive.extractall(work, members=[m for m in members if m.name != MANIFEST], filter="data")
    dump = work / DUMP
    if not dump.is_file() or _sha256(dump) != manifest["dump_sha256"]:
        raise BackupError("数据库转储与清单中的校验值不符，备份已损坏")
    for entry in manifest["media"]:
        path = work / MEDIA_PREFIX / entry["path"]
        if not path.is_file() or _sha256(path) != entry["sha256"]:
            raise BackupError(f"文件 {entry['path']} 缺失或与清单中的校验值不符，备份已损坏")
    return manifest


def _check_empty(keywords: dict) -> None:
    with psycopg.connect(**keywords) as target, target.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
            "AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
        )
        if cursor.fetchone()[0]:
            raise BackupError("目标数据库不是空的：恢复只写入一个新建的空数据库，不会覆盖现有数据")


def _check_media_target(manifest: dict, media_root: Path) -> None:
    for entry in manifest["media"]:
        existing = media_root / entry["path"]
        if existing.exists() and _sha256(existing) != entry["sha256"]:
            raise BackupError(f"文件目录中已有不同内容的 {entry['path']}：请恢复到一个空的文件目录")


def backup_restore(*, path: Path, database_url: str, media_root: Path | None = None) -> RestoreResult:
    """Restore a backup file into an empty database and a file directory. Called by ``manage.py restore``.

    Refuses, before writing anything: a damaged or altered file, a database that already holds tables, a file
    directory holding a different file of the same name. Afterwards refuses (BackupError) a row count that differs.
    """
    try:
        keywords = _connection_keywords(dj_database_url.parse(database_url))
    except ValueError as error:
        raise BackupError(f"数据库地址无效：{error}") from error
    media_root = Path(media_root or settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work_name:
        work = Path(work_name)
        try:
            with tarfile.open(path, "r") as archive:
                manifest = _read_and_check(archive, work)
        except (OSError, tarfile.TarError) as error:
            raise BackupError(f"备份文件无法读取：{error}") from error
        _check_empty(keywords)
        _check_media_target(manifest, media_root)
        completed = _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                          "--no-password", f"--dbname={keywords.get('dbname', '')}", str(work / DUMP)], keywords)
        if completed.returncode != 0:
            raise BackupError(f"pg_restore 失败（目标数据库未写入）：{completed.stderr.strip()}")
        with psycopg.connect(**keywords) as target, target.cursor() as cursor:
            counts = table_row_counts(cursor)
        if counts != manifest["tables"]:
            different = sorted(set(counts.items()) ^ set(manifest["tables"].items()))
            raise BackupError(f"恢复后的行数与清单不符：{different[:10]}")
        for entry in manifest["media"]:
            destination = media_root / entry["path"]
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(work / MEDIA_PREFIX / entry["path"], destination)
    return RestoreResult(tables=len(counts), rows=sum(counts.values()), files=len(manifest["media"]))
