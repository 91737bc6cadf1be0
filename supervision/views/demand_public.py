"""Public pages without login (policy §8.1): the current training demand catalogue and 我要参加培训.

Light for a phone on a weak rural connection: one small stylesheet, no script, nothing personal shown."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from accounts.security import client_ip
from xingan_training.errors import ServiceError

from .. import demand, demand_selectors as selectors
from ..forms.demand import TrainingWishForm
from ..throttle import personal_key, throttle_exceeded

PUBLIC_PAGE_SIZE = 50
DATA_NOTICE = (
    "您填写的姓名、手机号、人员类别、想参加的培训和所在旗县市，只用于人社部门了解培训需求、"
    "在有合适的培训班开班时电话通知您（建立培训需求档案）。"
    "只有您所在旗县市和兴安盟的人社部门工作人员能看到；培训机构和其他人看不到，也不会公开。"
    "登记不收取任何费用，也不代表已经报名某个培训班。"
)


@require_GET
@cache_control(public=True, max_age=300)
def public_catalogue(request):
    today = timezone.localdate()
    query = request.GET.get("q", "").replace("\x00", "").strip()[:30]
    entries = selectors.current_catalogue_entries(today=today, query=query)
    page = Paginator(entries, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/public/catalogue.html", {"page": page, "query": query, "today": today, "tab": "catalogue"})


def _too_many_from_address(request) -> bool:
    return throttle_exceeded(
        f"training-wish:ip:{client_ip(request) or 'unknown'}",
        limit=settings.TRAINING_WISH_RATE_LIMIT_PER_IP, window_seconds=3600,
    )


def _too_many_for_phone(phone: str) -> bool:
    return throttle_exceeded(
        f"training-wish:phone:{personal_key(phone)}",
        limit=settings.TRAINING_WISH_RATE_LIMIT_PER_PHONE, window_seconds=86400,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("name", "phone")
def public_wish_form(request):
    today = timezone.localdate()
    entries = selectors.current_catalogue_entries(today=today)
    initial = {}
    if request.GET.get("entry", "").isdigit():
        initial["catalogue_entry"] = request.GET["entry"]
    form = TrainingWishForm(
        request.POST or None, initial=initial, entries=entries, counties=selectors.public_wish_counties()
    )
    error = ""
    status = 200
    if request.method == "POST":
        if _too_many_from_address(request):
            error, status = "提交次数过多，请过一段时间再试。", 429
        elif form.is_bot:
            # A honeypot answer: the bot is told it succeeded, and nothing is stored.
            return redirect("supervision_public:wish_done")
        elif not form.is_valid():
            error, status = "请按标红的提示修改后重新提交，已填写的内容都已保留。", 400
        elif _too_many_for_phone(form.cleaned_data["phone"]):
            error, status = "该手机号今天登记次数过多，请明天再试。", 429
        else:
            data = form.cleaned_data
            try:
                demand.training_wish_register(
                    name=data["name"], phone=data["phone"], category=data["category"],
                    catalogue_entry=data["catalogue_entry"], county=data["county"], note=data["note"],
                    has_consented=data["has_consented"],
                )
            except ServiceError as refusal:
                error, status = refusal.message, 400
            else:
                return redirect("supervision_public:wish_done")
    return render(request, "supervision/public/wish_form.html", {
        "form": form, "error": error, "notice": DATA_NOTICE, "has_entries": entries.exists(), "tab": "wish",
    }, status=status)


@require_GET
def public_wish_done(request):
    return render(request, "supervision/public/wish_done.html", {"tab": "wish"})
