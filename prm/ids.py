"""Identifiers that are safe to show in URLs and the API."""

import hashlib
import os
import time
import uuid


def uuid7() -> uuid.UUID:
    """A random, time-ordered UUID (RFC 9562 version 7).

    Not guessable (74 random bits) like uuid4, but ordered by creation time, so primary
    key indexes grow at their right edge instead of splitting pages at random.
    """
    unix_ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # 12 random bits
    value |= 0b10 << 62  # variant
    value |= rand & ((1 << 62) - 1)  # 62 random bits
    return uuid.UUID(int=value)


def secret_digest(secret: str) -> str:
    """What is stored of a secret handed out once (invitation link, API key): SHA-256.

    The secrets carry 256 random bits, so a fast unsalted hash is enough; a leaked row
    cannot be turned back into a working link or key.
    """
    return hashlib.sha256(secret.encode()).hexdigest()
