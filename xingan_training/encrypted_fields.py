"""Model fields for personal data at rest: the clear text in Python, the ciphertext in the database.

``EncryptedCharField`` keeps ``max_length`` for forms and validation of the clear text; its column is ``text``
(the ciphertext is longer). It refuses every lookup but ``isnull``: an ``exact`` on a ciphertext can never
match (each encryption draws a new nonce), so a forgotten lookup fails loudly instead of finding nothing.
Lookups, uniqueness, grouping and joins go through the companion ``BlindIndexField``, filled on every save
(``save()``, ``create()``, ``bulk_create``) from the clear text. ``QuerySet.update()`` and ``bulk_update()``
do not run it: change these values through instances, and name the digest too in ``save(update_fields=...)``.
"""

from django.db import models

from . import personal_data


class EncryptedCharField(models.CharField):
    def __init__(self, *args, purpose: str, **kwargs):
        if purpose not in personal_data.PURPOSES:
            raise ValueError(f"unknown personal data purpose {purpose!r}")
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def db_type(self, connection):
        return "text"

    def cast_db_type(self, connection):
        return "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        return personal_data.encrypt(value, self.purpose)

    def from_db_value(self, value, expression, connection):
        return personal_data.decrypt(value, self.purpose)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None  # Django then raises FieldError("Unsupported lookup ...")

    def get_transform(self, lookup_name):
        return None


class BlindIndexField(models.CharField):
    """The HMAC digest of the clear text of ``source`` (an EncryptedCharField of the same model)."""

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for option, default in (("max_length", 64), ("editable", False), ("blank", True)):
            if kwargs.get(option, default) == default:
                kwargs.pop(option, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        purpose = model_instance._meta.get_field(self.source).purpose
        digest = personal_data.blind_index(getattr(model_instance, self.source), purpose)
        setattr(model_instance, self.attname, digest)
        return digest
