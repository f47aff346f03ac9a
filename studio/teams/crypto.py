"""Encryption at rest for API tokens (Fernet; several keys allow rotation)."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    keys = settings.STUDIO_ENCRYPTION_KEYS or [_key_from_secret(settings.SECRET_KEY)]
    return MultiFernet([Fernet(key) for key in keys])


def _key_from_secret(secret: str) -> bytes:
    digest = hashlib.sha256(b"studio.teams.crypto:" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt(cipher: str) -> str:
    """The plain token, or "" when it cannot be read with any key we hold."""
    if not cipher:
        return ""
    try:
        return _fernet().decrypt(cipher.encode()).decode()
    except InvalidToken:
        return ""


def rotate(cipher: str) -> str:
    """Re-encrypt with the newest key."""
    return _fernet().rotate(cipher.encode()).decode() if cipher else ""
