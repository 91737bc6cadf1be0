"""The trainee search page. Searched by POST only, so no ID or phone number is ever in a URL (access logs,
browser history, Referer); the answer is never cached."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from .forms import TraineeSearchForm
from .selectors import can_search_trainees
from .services import trainee_search_run


@never_cache
@sensitive_post_parameters("q")
@login_required
@sensitive_variables("form", "query")  # innermost: it hides the locals of the function it wraps directly
def trainee_search(request):
    if not can_search_trainees(request.user):
        raise Http404
    form = TraineeSearchForm(request.POST if request.method == "POST" else None)
    result, query = None, None
    if form.is_valid():
        query = form.cleaned_data["q"]
        result = trainee_search_run(actor=request.user, query=query, request=request)
    return render(request, "reports/search/trainee_search.html", {
        "form": form, "result": result, "query_label": query.description if query else "",
    }, status=400 if form.errors else 200)
