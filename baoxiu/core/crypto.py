"""Authenticated field encryption and blind indexes.

Every personal-data column is stored as ``v1$<key id>$<base64(nonce || ciphertext)>``
sealed with AES-256-GCM. The associated data binds a ciphertext to its column
(``app.Model.field``), so a value copied into another column fails to open.
Keys come from ``settings.FIELD_ENCRYPTION_KEYS``: the first key seals, any
listed key opens, which lets an operator add a new key, re-encrypt, and retire
the old one. Blind indexes are HMAC-SHA256 over a normalised value with a
separate key: equal inputs give equal digests, so a phone number can be looked
up without being stored in the clear.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be opened with any configured key."""


@dataclass(frozen=True)
class Keyring:
    primary_id: str
    keys: dict[str, AESGCM]

    def seal(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.keys[self.primary_id].encrypt(
            nonce, plaintext.encode("utf-8"), context.encode("utf-8")
        )
        payload = base64.b64encode(nonce + sealed).decode("ascii")
        return f"{PREFIX}${self.primary_id}${payload}"

    def open(self, token: str, *, context: str) -> str:
        try:
            prefix, key_id, payload = token.split("$", 2)
            raw = base64.b64decode(payload, validate=True)
        except (ValueError, binascii.Error) as exc:
            raise DecryptionError("malformed ciphertext") from exc
        if prefix != PREFIX or key_id not in self.keys:
            raise DecryptionError(f"unknown key id {key_id!r}")
        try:
            plain = self.keys[key_id].decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8")
            )
        except InvalidTag as exc:
            raise DecryptionError("ciphertext failed authentication") from exc
        return plain.decode("utf-8")

    @staticmethod
    def key_id_of(token: str) -> str | None:
        parts = token.split("$", 2)
        return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None


def parse_keyring(spec: str) -> Keyring:
    keys: dict[str, AESGCM] = {}
    order: list[str] = []
    for item in (spec or "").split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id or "$" in key_id:
            raise ImproperlyConfigured("BAOXIU_FIELD_KEYS entries look like 'id:base64key'.")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise ImproperlyConfigured(f"Field key {key_id!r} is not valid base64.") from exc
        if len(key) != 32:
            raise ImproperlyConfigured(f"Field key {key_id!r} must be 32 bytes.")
        keys[key_id] = AESGCM(key)
        order.append(key_id)
    if not order:
        raise ImproperlyConfigured("BAOXIU_FIELD_KEYS names no key.")
    return Keyring(primary_id=order[0], keys=keys)


@lru_cache(maxsize=4)
def _keyring_for(spec: str) -> Keyring:
    return parse_keyring(spec)


def keyring() -> Keyring:
    return _keyring_for(settings.FIELD_ENCRYPTION_KEYS)


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed digest of an already-normalised value; ``purpose`` separates indexes."""
    key = settings.BLIND_INDEX_KEY.encode("utf-8")
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def bearer_token_index(token: str, *, purpose: str) -> str:
    """Look-up key of a bearer token (a link's secret) whose value is stored sealed."""
    return blind_index(token, purpose=f"token:{purpose}")


def generate_field_key() -> str:
    return base64.b64encode(os.urandom(32)).decode("ascii")
