"""Verification codes: 12 characters of Crockford's base32 (60 random bits), typed back by a person.

Pure: no Django. The alphabet has no I, L, O or U, so a code read aloud or copied by hand survives; what a
person types is normalised (case, spaces, dashes, O for 0, I/L for 1) before it is looked up.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
_TYPING_SLIPS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(typed: str) -> str | None:
    """The code a person meant, or None when the text cannot be one (so nothing is looked up)."""
    cleaned = re.sub(r"[\s\-]", "", (typed or "")[:40]).upper().translate(_TYPING_SLIPS)
    return cleaned if _VALID.match(cleaned) else None


def display_code(code: str) -> str:
    """ABCD-EFGH-JKMN: three groups of four, easier to read off paper."""
    return "-".join(code[start:start + 4] for start in range(0, len(code), 4))
