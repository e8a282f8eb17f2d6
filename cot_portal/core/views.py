from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from applications.models import Call
from cot_portal.accounts.models import StaffRole

from . import files, selectors


def home(request):
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    calls = Call.objects.order_by("-year")[:3]
    return render(request, "core/home.html", {"calls": calls, "now": timezone.now()})


@login_required
def dashboard(request):
    """One page per person, with a panel for each role they hold."""
    user = request.user
    roles = set(user.staff_roles)
    memberships = list(user.memberships.select_related("organisation"))
    context = {
        "memberships": memberships,
        "is_call_manager": StaffRole.CALL_MANAGER in roles,
        "is_jury_member": StaffRole.JURY_MEMBER in roles,
        "is_finance_officer": StaffRole.FINANCE_OFFICER in roles,
        "calls": list(Call.objects.order_by("-year")),
        "now": timezone.now(),
    }
    if memberships:
        context["letters"] = list(selectors.letters_for_user(user))
    if context["is_call_manager"]:
        context["heartbeats"] = list(selectors.heartbeats())
    return render(request, "core/dashboard.html", context)


def download(request, app_label, model, pk, field):
    return files.protected_file_response(request, app_label, model, pk, field)
