"""Re-encrypting every personal-data column under a new field key, online.

The keyring (``baoxiu.core.crypto``) seals with its first key and opens with
any listed key, so rotation never needs downtime:

1. ``baoxiu keys generate`` prints a new entry (``kN:base64``). Append it to
   ``BAOXIU_FIELD_KEYS`` in every process (rolling restart): all can now read
   it, none writes with it yet.
2. Move it to the front (rolling restart): new writes are sealed with it,
   and every process still opens the old key.
3. ``baoxiu keys rotate [--to kN]`` re-encrypts every row still sealed with
   another key, in small batches, each row written with a conditional UPDATE
   (``WHERE column = the ciphertext just read``): a row edited meanwhile is
   left as the editor wrote it and looked at again in the next pass. Passes
   repeat until no row is sealed with an old key, so a run may be stopped
   and started again at any time (it is resumable by construction: what is
   done is never redone).
4. ``baoxiu keys status`` shows no row under the old key: drop it from the
   list (rolling restart).

Blind indexes (phone look-up) use ``BAOXIU_BLIND_INDEX_KEY``, which rotation
does not touch, so look-ups keep working throughout. See SECURITY.md for why
that key stays stable.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast

from baoxiu.core.crypto import DecryptionError, Keyring, keyring
from baoxiu.core.fields import EncryptedTextField


def encrypted_columns() -> list[tuple[type, EncryptedTextField]]:
    """Every (model, field) stored sealed, across all installed apps."""
    found = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField):
                found.append((model, f))
    return found


def _raw(f: EncryptedTextField):
    # The ciphertext as stored: a plain text column, not decrypted on the way out.
    return Cast(f.name, output_field=TextField())


def _sealed(model, f):
    return model._base_manager.annotate(_raw=_raw(f)).exclude(_raw__isnull=True).exclude(_raw="")


def field_keys_status() -> dict[str, Counter]:
    """``"app.Model.field" -> Counter(key id -> rows)`` over every sealed value."""
    status = {}
    for model, f in encrypted_columns():
        counts = Counter()
        for token in _sealed(model, f).values_list("_raw", flat=True).iterator(chunk_size=2000):
            counts[Keyring.key_id_of(token) or "?"] += 1
        status[f"{model._meta.label}.{f.name}"] = counts
    return status


@dataclass
class ColumnRotation:
    column: str
    rotated: int = 0
    changed_meanwhile: int = 0  # conditional writes lost to a concurrent edit (re-read later)
    unreadable: list = field(default_factory=list)  # pks no configured key opens


def field_keys_rotate(
    *,
    batch_size: int = 500,
    pause: float = 0.0,
    max_passes: int = 10,
    progress: Callable[[ColumnRotation], None] | None = None,
    on_batch: Callable[[type, list], None] | None = None,
) -> list[ColumnRotation]:
    """Re-seal every value not sealed with the primary key; see the module docstring.

    ``on_batch(model, rows)`` runs after a batch is read and before it is
    written (a seam to play a concurrent edit in tests); ``pause`` sleeps
    between batches to spare a busy database.
    """
    ring = keyring()
    current = f"v1${ring.primary_id}$"
    results = []
    for model, f in encrypted_columns():
        result = ColumnRotation(column=f"{model._meta.label}.{f.name}")
        for _pass in range(max_passes):
            before = (result.rotated, result.changed_meanwhile)
            if not _rotate_pass(
                model, f, ring, current, batch_size, pause, result, progress, on_batch
            ):
                break
            if (result.rotated, result.changed_meanwhile) == before:
                break  # only unreadable rows are left
        results.append(result)
        if progress:
            progress(result)
    return results


def _rotate_pass(model, f, ring, current, batch_size, pause, result, progress, on_batch) -> bool:
    """One sweep by primary key; returns whether it found anything to do."""
    context = f._context
    skip = set(result.unreadable)
    last_pk = None
    found = False
    while True:
        pending = _sealed(model, f).exclude(_raw__startswith=current)
        if last_pk is not None:
            pending = pending.filter(pk__gt=last_pk)
        rows = list(pending.order_by("pk").values_list("pk", "_raw")[:batch_size])
        if not rows:
            return found
        last_pk = rows[-1][0]
        rows = [(pk, token) for pk, token in rows if pk not in skip]
        if not rows:
            continue
        found = True
        if on_batch:
            on_batch(model, rows)
        with transaction.atomic():
            for pk, token in rows:
                try:
                    plain = ring.open(token, context=context)
                except DecryptionError:
                    result.unreadable.append(pk)
                    continue
                won = (
                    model._base_manager.annotate(_raw=_raw(f))
                    .filter(pk=pk, _raw=token)
                    .update(**{f.name: Value(ring.seal(plain, context=context), TextField())})
                )
                if won:
                    result.rotated += 1
                else:
                    result.changed_meanwhile += 1
        if progress:
            progress(result)
        if pause:
            time.sleep(pause)
