"""Verifying the audit chain, in the table and in archive files, and archiving records past retention.

The chain in the table starts at sequence 1 (genesis) or right after the last archived record: then an
``AUDIT_ARCHIVED`` marker in the chain names the archive file and the hash of the last record it holds, so the
table alone stays verifiable and each archive file is verifiable against its marker.
"""

import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .audit import audit_event_append, chain_lock
from .audit_chain import CHAINED_FIELDS, GENESIS_HASH, ChainBreak, ChainWalk, canonical_timestamp
from .models import AuditEvent

STORED_FIELDS = (*CHAINED_FIELDS, "record_hash")
BATCH_SIZE = 5000


class AuditArchiveError(Exception):
    pass


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_sequence: int | None
    last_sequence: int | None
    last_hash: str
    problem: ChainBreak | None


def _records_from(first_sequence: int, *, through: int | None = None, batch_size: int = BATCH_SIZE) -> Iterator[dict]:
    """Records in sequence order, read in keyset batches so that memory stays flat whatever the table's size."""
    after = first_sequence - 1
    while True:
        rows = AuditEvent.objects.filter(sequence__gt=after)
        if through is not None:
            rows = rows.filter(sequence__lte=through)
        batch = list(rows.order_by("sequence").values(*STORED_FIELDS)[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        after = batch[-1]["sequence"]


def _marker_facts(marker: dict) -> dict:
    return json.loads(marker["detail"])


def _chain_start() -> tuple[int, str] | ChainBreak | None:
    """Where the table's chain must start: (sequence, previous hash), a break, or None for an empty table."""
    first = AuditEvent.objects.order_by("sequence").values("sequence", "previous_hash").first()
    if first is None:
        return None
    if first["sequence"] == 1:
        return 1, GENESIS_HASH
    marker = (
        AuditEvent.objects.filter(action=AuditEvent.Action.AUDIT_ARCHIVED, archived_through=first["sequence"] - 1)
        .values("detail").first()
    )
    if marker is None:
        return ChainBreak(1, f"第 1 至 {first['sequence'] - 1} 条记录不在表中，且没有归档标记说明它们已归档")
    if _marker_facts(marker)["last_hash"] != first["previous_hash"]:
        return ChainBreak(first["sequence"], f"第 {first['sequence']} 条记录的前一条哈希与归档标记不符")
    return first["sequence"], first["previous_hash"]


def audit_chain_verify(*, batch_size: int = BATCH_SIZE) -> ChainReport:
    """Walk the whole chain in the table; report the first missing, edited or misplaced record."""
    start = _chain_start()
    if start is None:
        return ChainReport(0, None, None, GENESIS_HASH, None)
    if isinstance(start, ChainBreak):
        return ChainReport(0, None, None, "", start)
    walk = ChainWalk(first_sequence=start[0], previous_hash=start[1])
    problem = walk.first_break(_records_from(start[0], batch_size=batch_size))
    return ChainReport(walk.count, start[0], walk.next_sequence - 1, walk.last_hash, problem)


def _archive_line(record: dict) -> str:
    return json.dumps({**record, "created_at": canonical_timestamp(record["created_at"])}, ensure_ascii=False,
                      sort_keys=True)


def _read_archive(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            record["created_at"] = datetime.fromisoformat(record["created_at"])
            yield record


def _file_sha256(path: Path) -> str:
    with path.open("rb") as content:
        return hashlib.file_digest(content, "sha256").hexdigest()


def audit_archive_verify(path: Path) -> ChainReport:
    """Check an archive file on its own (each record's hash and link) and against its marker when the table has it."""
    try:
        records = _read_archive(path)
        first = next(records, None)
        if first is None:
            return ChainReport(0, None, None, "", ChainBreak(0, "归档文件中没有记录"))
        walk = ChainWalk(first_sequence=first["sequence"], previous_hash=first["previous_hash"])
        problem = walk.check(first) or walk.first_break(records)
    except (OSError, EOFError, ValueError, KeyError, TypeError) as error:
        return ChainReport(0, None, None, "", ChainBreak(0, f"归档文件无法读取：{error}"))
    report = ChainReport(walk.count, first["sequence"], walk.next_sequence - 1, walk.last_hash, problem)
    if problem is not None:
        return report
    facts = _marker_for_archive_starting_at(report.first_sequence)
    if facts is not None and (
        (facts["through_sequence"], facts["last_hash"], facts["file_sha256"])
        != (report.last_sequence, report.last_hash, _file_sha256(path))
    ):
        return ChainReport(report.checked, report.first_sequence, report.last_sequence, report.last_hash,
                           ChainBreak(report.last_sequence, "归档文件与链中的归档标记不符（文件被修改、截短或替换）"))
    return report


def _marker_for_archive_starting_at(first_sequence: int) -> dict | None:
    """The facts of the marker of the archive that starts at this record, if the marker is still in the table
    (a marker is itself archived by a later run; the later file then holds it)."""
    markers = AuditEvent.objects.filter(action=AuditEvent.Action.AUDIT_ARCHIVED, archived_through__gte=first_sequence)
    for marker in markers.order_by("archived_through").values("detail"):
        facts = _marker_facts(marker)
        if facts["first_sequence"] == first_sequence:
            return facts
    return None


def _archivable_through(cutoff: datetime) -> tuple[int, int] | None:
    """The first sequence in the table and the last one of the leading run of records older than the cutoff."""
    first = AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True).first()
    if first is None:
        return None
    first_recent = (
        AuditEvent.objects.filter(created_at__gte=cutoff).order_by("sequence").values_list("sequence", flat=True).first()
    )
    through = (first_recent - 1) if first_recent is not None else AuditEvent.objects.order_by("-sequence").values_list(
        "sequence", flat=True).first()
    return (first, through) if through >= first else None


def _write_archive(path: Path, first: int, through: int, previous_hash: str) -> str:
    """Write records first..through to a new file (checking their chain on the way); return its last hash."""
    walk = ChainWalk(first_sequence=first, previous_hash=previous_hash)
    partial = path.with_suffix(".partial")
    with gzip.open(partial, "wt", encoding="utf-8") as archive:
        for record in _records_from(first, through=through):
            problem = walk.check(record)
            if problem is not None:
                partial.unlink()
                raise AuditArchiveError(f"审计链有误，未归档：{problem.problem}")
            archive.write(_archive_line(record) + "\n")
    with partial.open("rb") as written:
        os.fsync(written.fileno())
    partial.rename(path)
    return walk.last_hash


def audit_events_archive(*, now: datetime | None = None) -> AuditEvent | None:
    """Move the records older than AUDIT_RETENTION_DAYS to a compressed JSON-lines file, then remove them.

    Called by the daily beat task. Refuses (AuditArchiveError) when the chain to archive is broken: a broken chain is
    evidence and stays in the table. Order matters: the file is written and synced, then one transaction appends the
    marker (file name, last hash, file checksum) and removes the rows through the trigger's archiving path. A crash
    between the two leaves a file and every row; the next run writes the file again. Returns the marker, or None.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    start = _chain_start()
    if isinstance(start, ChainBreak):
        raise AuditArchiveError(f"审计链有误，未归档：{start.problem}")
    span = _archivable_through(cutoff)
    if start is None or span is None:
        return None
    first, through = span
    directory = Path(settings.AUDIT_ARCHIVE_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"audit-{first:012d}-{through:012d}.jsonl.gz"
    last_hash = _write_archive(path, first, through, start[1])
    facts = {"file": path.name, "first_sequence": first, "through_sequence": through, "last_hash": last_hash,
             "file_sha256": _file_sha256(path)}
    with transaction.atomic():
        chain_lock()
        if AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True).first() != first:
            raise AuditArchiveError("另一次归档已在进行或刚刚完成，本次未归档")
        marker = audit_event_append(
            action=AuditEvent.Action.AUDIT_ARCHIVED, archived_through=through, object_type="audit_archive",
            object_id=path.name[:64], detail=json.dumps(facts, sort_keys=True),
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL xingan.audit_archiving = on")
        removed, _ = AuditEvent.objects.filter(sequence__gte=first, sequence__lte=through).delete()
        if removed != through - first + 1:
            raise AuditArchiveError(f"应移除 {through - first + 1} 条，实际 {removed} 条；已回滚")
    return marker
