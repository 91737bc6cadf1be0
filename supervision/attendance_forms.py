"""Forms of daily attendance: they validate input only; the services decide."""

from django import forms

from classes.forms import PersonNameField

from .attendance import SPOT_CHECK_MAX, Location
from .models import PhotoSpotCheckItem


def _coordinate(label: str, limit: int, *, required: bool = True, **attrs) -> forms.FloatField:
    return forms.FloatField(
        label=label, required=required, min_value=-limit, max_value=limit,
        error_messages={
            "required": f"请填写{label}。", "invalid": f"{label}应为数字（如 46.0726）。",
            "min_value": f"{label}应在 -{limit} 到 {limit} 之间。", "max_value": f"{label}应在 -{limit} 到 {limit} 之间。",
        },
        widget=forms.NumberInput(attrs={"step": "any", **attrs}),
    )


class ClassSiteForm(forms.Form):
    address = forms.CharField(label="培训地址", max_length=200, error_messages={"required": "请填写培训地址。"})
    latitude = _coordinate("纬度", 90, inputmode="decimal")
    longitude = _coordinate("经度", 180, inputmode="decimal")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class CheckInForm(forms.Form):
    """The trainee's phone: identity as on 附表2, plus what the phone's script fills in (location) or the
    trainee adds (photo). Hidden fields are optional: a phone without script sends none of them."""

    name = PersonNameField(label="姓名", error_messages={"required": "请填写姓名。"})
    id_number = forms.CharField(
        label="身份证号", max_length=18, min_length=18,
        error_messages={"required": "请填写身份证号。", "min_length": "身份证号应为18位。", "max_length": "身份证号应为18位。"},
    )
    latitude = _coordinate("纬度", 90, required=False)
    longitude = _coordinate("经度", 180, required=False)
    accuracy = forms.FloatField(required=False, min_value=0, max_value=1_000_000)
    photo = forms.FileField(label="现场照片（可选）", required=False)
    ticket = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("latitude", "longitude", "accuracy"):
            self.fields[name].widget = forms.HiddenInput()
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["id_number"].widget.attrs.update(autocomplete="off", inputmode="text", maxlength="18")
        self.fields["photo"].widget.attrs.update(accept="image/*", capture="user")

    def location(self) -> Location | None:
        """Both coordinates or nothing: half a position is no position."""
        data = self.cleaned_data
        if data.get("latitude") is None or data.get("longitude") is None:
            return None
        accuracy = data.get("accuracy")
        return Location(data["latitude"], data["longitude"], round(accuracy) if accuracy is not None else None)


class SpotCheckDrawForm(forms.Form):
    size = forms.IntegerField(
        label="抽查张数", min_value=1, max_value=SPOT_CHECK_MAX, initial=10,
        error_messages={"min_value": f"抽查张数应在 1 到 {SPOT_CHECK_MAX} 之间。", "max_value": f"抽查张数应在 1 到 {SPOT_CHECK_MAX} 之间。"},
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(label="结论", choices=PhotoSpotCheckItem.Verdict.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="说明", max_length=300, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": "判断依据（“非本人”必填）"}))


class DismissForm(forms.Form):
    reason = forms.CharField(label="核销理由", max_length=500,
                             widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": "如：当日校外实训，已核实"}))
