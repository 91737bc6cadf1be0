from django import forms


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=20,
        error_messages={"required": "请输入验证码。", "max_length": "验证码过长，请检查后重新输入。"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class SecondFactorPolicyForm(forms.Form):
    institutions_required = forms.BooleanField(label="培训机构用户必须启用二次验证", required=False)
