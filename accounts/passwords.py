from django.core.exceptions import ValidationError

_CLASSES = (
    ("小写字母", str.islower),
    ("大写字母", str.isupper),
    ("数字", str.isdigit),
)


class CharacterClassValidator:
    """等保2.0 password complexity: at least ``min_classes`` of lower, upper, digit, symbol."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def _count_classes(self, password: str) -> int:
        count = sum(1 for _name, test in _CLASSES if any(test(char) for char in password))
        has_symbol = any(not char.isalnum() for char in password)
        return count + int(has_symbol)

    def validate(self, password, user=None):
        if self._count_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return f"密码须至少包含大写字母、小写字母、数字、符号中的 {self.min_classes} 类。"
