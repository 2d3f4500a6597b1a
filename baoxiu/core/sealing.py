"""Seal an existing plaintext column in place, for the migration that turns
a text field into an ``EncryptedTextField``.

The migration first makes the column a plain ``TextField`` (so the historical
model reads and writes it raw), then runs ``seal_in_place``, then alters the
field to ``EncryptedTextField`` (no schema change in that last step). The
reverse opens the values again.
"""

from __future__ import annotations

from django.db import migrations


def seal_in_place(
    app_label: str, model_name: str, *fields: str, index: tuple[str, str] | None = None
) -> migrations.RunPython:
    """``index`` = (column, purpose): a bearer token also gets its keyed digest
    (``bearer_token_index``) written beside it on the way forward."""

    def convert(apps, seal: bool) -> None:
        from baoxiu.core.crypto import bearer_token_index, keyring

        model = apps.get_model(app_label, model_name)
        ring = keyring()
        for field in fields:
            context = f"{app_label}.{model.__name__}.{field}"
            rows = model._base_manager.exclude(**{field: ""}).values_list("pk", field)
            for pk, value in rows.iterator():
                change = ring.seal if seal else ring.open
                values = {field: change(value, context=context)}
                if seal and index:
                    values[index[0]] = bearer_token_index(value, purpose=index[1])
                model._base_manager.filter(pk=pk).update(**values)

    return migrations.RunPython(
        lambda apps, _schema: convert(apps, True),
        lambda apps, _schema: convert(apps, False),
    )
