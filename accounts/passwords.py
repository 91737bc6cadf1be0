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


class UsernameInPasswordValidator:
    """Refuses a password that contains the username, forwards or backwards, whatever the case. Django's
    similarity check lets `County@2026xyz` pass for the user `county` (ratio 0.6 < 0.7), yet it is among the
    first guesses. Usernames shorter than ``min_length`` are not checked: two letters turn up in many passwords."""

    def __init__(self, min_length: int = 3):
        self.min_length = min_length

    def validate(self, password, user=None):
        username = (user.get_username() if user is not None else "") or ""
        username = username.strip().casefold()
        if len(username) < self.min_length:
            return
        lowered = password.casefold()
        if username in lowered or username[::-1] in lowered:
            raise ValidationError("密码不能包含用户名或其倒序（不区分大小写）。", code="password_contains_username")

    def get_help_text(self):
        return "密码不能包含用户名或其倒序。"
