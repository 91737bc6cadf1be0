"""The rotating classroom code of policy §8.3. Pure: no database, no Django.

Time is cut into windows of ``minutes``; the code of a window is an HMAC of the class and the window number
under the class's own secret. A token names its class and window in clear, so the server can say "expired"
rather than "forged"; only the secret can produce the MAC. A token is accepted in its own window and the next
one, so a trainee who scans just before the code changes is not turned away.
"""

import base64
import hashlib
import hmac
import re
from enum import Enum

MAC_LENGTH = 16  # base64url characters: 96 bits
_TOKEN = re.compile(rf"^([1-9][0-9]{{0,17}})-([0-9]{{1,12}})-([A-Za-z0-9_-]{{{MAC_LENGTH}}})$")


class CodeStatus(Enum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


def window_of(timestamp: float, minutes: int) -> int:
    """The number of the window holding a Unix timestamp."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        raise ValueError(f"minutes must be a positive integer, got {minutes!r}")
    return int(timestamp // (minutes * 60))


def seconds_left(timestamp: float, minutes: int) -> int:
    """Whole seconds until the current window ends (at least 1)."""
    window_end = (window_of(timestamp, minutes) + 1) * minutes * 60
    return max(1, int(window_end - timestamp + 0.999))


def _mac(secret: str, class_id: int, window: int) -> str:
    digest = hmac.new(secret.encode(), f"checkin:{class_id}:{window}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:MAC_LENGTH]


def token_for(secret: str, class_id: int, window: int) -> str:
    if not secret:
        raise ValueError("a class code needs a secret")
    return f"{class_id}-{window}-{_mac(secret, class_id, window)}"


def parse_token(token: str) -> tuple[int, int] | None:
    """(class id, window) of a well-formed token, None otherwise; says nothing about the MAC."""
    match = _TOKEN.match(token or "")
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


def token_status(token: str, secret: str, *, timestamp: float, minutes: int) -> CodeStatus:
    parsed = parse_token(token)
    if parsed is None or not secret:
        return CodeStatus.INVALID
    class_id, window = parsed
    if not hmac.compare_digest(token_for(secret, class_id, window), token):
        return CodeStatus.INVALID
    current = window_of(timestamp, minutes)
    if window > current:
        return CodeStatus.INVALID  # no code is ever shown for a future window
    if window >= current - 1:
        return CodeStatus.VALID
    return CodeStatus.EXPIRED
