"""Server-side masking of personal data. Pure: every list, page and export shows these forms."""


def mask_id_number(value: str) -> str:
    """152201199001011234 -> 152201********1234 (region code and last four kept)."""
    if not value or len(value) < 10:
        return "*" * len(value or "")
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678."""
    if not value or len(value) < 7:
        return "*" * len(value or "")
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


class MaskedIdNumber:
    """Adds masked_id_number to anything with an id_number attribute (a person)."""

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class MaskedPhone:
    """Adds masked_phone to anything with a phone attribute (a roster row: the phone belongs to the roster)."""

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class MaskedPersonalData(MaskedIdNumber, MaskedPhone):
    """Both, for a row of an uploaded roster file."""
