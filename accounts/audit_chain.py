"""The audit chain's canonical form and its checks: pure functions, no Django imports.

A record's hash is SHA-256 over the UTF-8 JSON of its fields (sorted keys, no spaces, the time in UTC with
microseconds), the previous record's hash included, so the hash fixes both the record and its place in the chain.
The form is frozen: stored hashes depend on it, so changing it would make every existing chain fail verification.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64

# The fields the hash covers, as stored; the model's other columns (its id) are not part of the record.
CHAINED_FIELDS = (
    "sequence", "created_at", "action", "actor_id", "username", "ip_address", "object_type", "object_id", "detail",
    "archived_through", "previous_hash",
)


def canonical_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(record: Mapping) -> bytes:
    content = {name: record[name] for name in CHAINED_FIELDS}
    content["created_at"] = canonical_timestamp(content["created_at"])
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(record: Mapping) -> str:
    return hashlib.sha256(canonical_bytes(record)).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    problem: str


class ChainWalk:
    """Checks records one at a time, in sequence order, so that a caller can feed them in batches.

    Records are mappings with ``CHAINED_FIELDS`` and ``record_hash``; the walk starts where the caller says (the
    genesis, or just after the last archived record).
    """

    def __init__(self, *, first_sequence: int = 1, previous_hash: str = GENESIS_HASH):
        self.next_sequence = first_sequence
        self.last_hash = previous_hash
        self.count = 0

    def check(self, record: Mapping) -> ChainBreak | None:
        sequence = self.next_sequence
        if record["sequence"] != sequence:
            return ChainBreak(sequence, f"缺少第 {sequence} 条（其后是第 {record['sequence']} 条）")
        if record["previous_hash"] != self.last_hash:
            return ChainBreak(sequence, f"第 {sequence} 条记录的前一条哈希与第 {sequence - 1} 条不符")
        if record_hash(record) != record["record_hash"]:
            return ChainBreak(sequence, f"第 {sequence} 条记录的内容与其哈希不符（记录被修改）")
        self.next_sequence, self.last_hash, self.count = sequence + 1, record["record_hash"], self.count + 1
        return None

    def first_break(self, records: Iterable[Mapping]) -> ChainBreak | None:
        for record in records:
            found = self.check(record)
            if found is not None:
                return found
        return None
