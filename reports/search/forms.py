from django import forms

from .queries import MAX_LENGTH, QueryError, parse_trainee_query


class TraineeSearchForm(forms.Form):
    q = forms.CharField(
        label="姓名、身份证号或手机号", max_length=MAX_LENGTH,
        error_messages={"required": "请输入要查询的姓名、身份证号或手机号。", "max_length": f"查询内容过长（最多{MAX_LENGTH}个字符）。"},
        # No browser history of the numbers typed here.
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "form-control",
                                      "placeholder": "如：张三，或完整的18位身份证号、11位手机号"}),
    )

    def clean_q(self):
        try:
            return parse_trainee_query(self.cleaned_data["q"])
        except QueryError as error:
            raise forms.ValidationError(str(error)) from None
