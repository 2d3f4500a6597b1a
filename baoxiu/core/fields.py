"""Model fields that keep personal data encrypted at rest."""

from __future__ import annotations

from django.db import models

from baoxiu.core.crypto import keyring


class EncryptedTextField(models.TextField):
    """A text column stored sealed (see ``baoxiu.core.crypto``).

    The column cannot be filtered or ordered on; look-ups go through a blind
    index column kept beside it by the service that writes the value.
    """

    description = "Text encrypted at rest with AES-GCM"

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        self._context = f"{cls._meta.app_label}.{cls.__name__}.{name}"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return keyring().seal(str(value), context=self._context)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return keyring().open(value, context=self._context)

    def get_lookup(self, lookup_name):
        if lookup_name not in {"isnull"}:
            return None
        return super().get_lookup(lookup_name)
