"""Personal data at rest (issue #13 item 2): resident ID numbers and phone numbers are stored encrypted.

- Encryption is AES-256-GCM (authenticated: an edited or swapped ciphertext is refused, never misread). The
  ciphertext is ``<key id>:<base64(nonce + ciphertext + tag)>``; the first key of ``FIELD_ENCRYPTION_KEYS``
  encrypts, every listed key decrypts, so a new key is added in front and the old one removed once
  ``manage.py reencrypt_personal_data`` has moved every row.
- The purpose ("resident_id", "phone") is the associated data: a phone's ciphertext copied into an ID column
  does not decrypt.
- A blind index (HMAC-SHA256 under its own ``BLIND_INDEX_KEY``, per purpose) stands beside each ciphertext for
  uniqueness, exact lookups, grouping and joins. It reveals equality, nothing else; the key must stay fixed
  (changing it means recomputing every digest).

No Django models here: the settings module parses its keys with ``parse_encryption_keys``.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Iterable
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

RESIDENT_ID = "resident_id"
PHONE = "phone"
PURPOSES = (RESIDENT_ID, PHONE)

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # GCM's standard nonce; random per value (2^32 encryptions per key stay far below the bound)
_KEY_ID = re.compile(r"^[a-z0-9]{1,16}$")


class DecryptionError(ValueError):
    """A stored value that no configured key opens: tampered, truncated or encrypted under a removed key."""


def _decode_key(name: str, raw: str) -> bytes:
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{name}: the key is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{name}: a key must be {KEY_BYTES} bytes (base64 of 32 random bytes)")
    return key


def parse_encryption_keys(raw: str) -> dict[str, bytes]:
    """``"k2:<base64>,k1:<base64>"`` -> {"k2": ..., "k1": ...} in that order: the first one encrypts."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        key_id, separator, encoded = item.partition(":")
        if not separator or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS: each key is written <id>:<base64>, the id lowercase letters and digits"
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: key id {key_id!r} appears twice")
        keys[key_id] = _decode_key(f"FIELD_ENCRYPTION_KEYS[{key_id}]", encoded)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds no key")
    return keys


def parse_blind_index_key(raw: str) -> bytes:
    return _decode_key("BLIND_INDEX_KEY", raw)


def demo_key(label: str) -> bytes:
    """A FIXED, PUBLISHED key for local runs and tests only (anybody with this source can derive it). The
    settings refuse to run a production configuration without real keys."""
    return hashlib.sha256(f"xingan-training demo key, never for real data: {label}".encode()).digest()


def _settings():
    from django.conf import settings

    return settings


@lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def _check_purpose(purpose: str) -> bytes:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown personal data purpose {purpose!r}")
    return purpose.encode()


def encrypt(value: str, purpose: str) -> str:
    """The ciphertext of ``value`` under the current (first) key. An empty value stays empty."""
    if value in (None, ""):
        return value
    associated_data = _check_purpose(purpose)
    key_id, key = next(iter(_settings().FIELD_ENCRYPTION_KEYS.items()))
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(key).encrypt(nonce, str(value).encode(), associated_data)
    return f"{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def key_id_of(ciphertext: str) -> str:
    return ciphertext.partition(":")[0]


def decrypt(ciphertext: str, purpose: str) -> str:
    """The clear text; raises DecryptionError for anything that is not a ciphertext a configured key made."""
    if ciphertext in (None, ""):
        return ciphertext
    associated_data = _check_purpose(purpose)
    key_id, separator, encoded = ciphertext.partition(":")
    key = _settings().FIELD_ENCRYPTION_KEYS.get(key_id)
    if not separator or key is None:
        raise DecryptionError(f"no configured key {key_id!r} for a stored {purpose}")
    try:
        blob = base64.b64decode(encoded, validate=True)
        clear = _cipher(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated_data)
    except (binascii.Error, ValueError, InvalidTag):
        raise DecryptionError(f"a stored {purpose} fails authentication (edited or damaged)") from None
    return clear.decode()


def needs_reencryption(ciphertext: str) -> bool:
    """Whether a stored value was encrypted under another key than the current one."""
    if not ciphertext:
        return False
    return key_id_of(ciphertext) != next(iter(_settings().FIELD_ENCRYPTION_KEYS))


def blind_index(value: str, purpose: str) -> str:
    """The keyed hash that stands for ``value`` in lookups (64 hex characters); empty for an empty value.
    Callers normalise first (an ID number upper-case, a phone as 11 digits): the hash is of the exact text."""
    if value in (None, ""):
        return ""
    message = _check_purpose(purpose) + b"\x00" + str(value).encode()
    return hmac.new(_settings().BLIND_INDEX_KEY, message, hashlib.sha256).hexdigest()


def id_number_digest(id_number: str) -> str:
    return blind_index((id_number or "").strip().upper(), RESIDENT_ID)


def phone_digest(phone: str) -> str:
    return blind_index((phone or "").strip(), PHONE)


def id_number_digests(id_numbers: Iterable[str]) -> list[str]:
    """For ``id_number_digest__in``: the digests of these ID numbers, each once."""
    return sorted({id_number_digest(number) for number in id_numbers})


def phone_digests(phones: Iterable[str]) -> list[str]:
    """For ``phone_digest__in``: the digests of these phone numbers, each once."""
    return sorted({phone_digest(phone) for phone in phones})
