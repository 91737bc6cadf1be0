"""When a sampled trainee is replaced by the next of the random order (policy §5 Decision). Pure.

空号 and 拒绝回访 end the attempt at once: calling again cannot reach the trainee, and the sample must still
reach 20% of completed calls. 无人接听, 关机 and 占线 may be luck of the moment, so only they count toward the
attempts allowed. A promised call-back (约定回拨) counts for nothing, and a completed call replaces nobody.
"""

from collections.abc import Sequence

WRONG_NUMBER = "wrong_number"
REFUSED = "refused"
UNREACHABLE = "unreachable"

REPLACES_AT_ONCE = frozenset({WRONG_NUMBER, REFUSED})
COUNTS_TOWARD_ATTEMPTS = frozenset({"no_answer", "powered_off", "busy"})


def replacement_reason(outcomes: Sequence[str], *, max_failed_attempts: int) -> str | None:
    """Why the trainee is replaced after the latest call, or None while he or she stays on the list.

    ``outcomes`` are the trainee's calls in order, the latest last. The reason is the latest outcome when it
    replaces at once (WRONG_NUMBER, REFUSED), UNREACHABLE when the counted failures reach the allowance.
    """
    if max_failed_attempts < 1:
        raise ValueError(f"max_failed_attempts must be at least 1, got {max_failed_attempts}")
    if not outcomes:
        return None
    latest = outcomes[-1]
    if latest in REPLACES_AT_ONCE:
        return latest
    if latest in COUNTS_TOWARD_ATTEMPTS and sum(outcome in COUNTS_TOWARD_ATTEMPTS for outcome in outcomes) >= max_failed_attempts:
        return UNREACHABLE
    return None
