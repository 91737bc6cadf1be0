from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from .selectors import user_sessions_of
from .services import user_session_end, user_sessions_end_others


@login_required
@require_POST
def session_end(request, pk):
    session = get_object_or_404(user_sessions_of(request.user), pk=pk)
    is_current = session.session_key == request.session.session_key
    user_session_end(request=request, session=session)
    if is_current:
        return redirect("accounts:login")
    messages.success(request, "已结束该会话，对应设备需要重新登录。")
    return redirect("accounts:security")


@login_required
@require_POST
def sessions_end_others(request):
    count = user_sessions_end_others(request=request)
    messages.success(request, f"已结束其他 {count} 个会话。" if count else "没有其他会话。")
    return redirect("accounts:security")
