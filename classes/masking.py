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


class MaskedPersonalData:
    """Adds masked_id_number / masked_phone to anything with id_number and phone attributes."""

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
