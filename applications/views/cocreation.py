"""Co-creation pages (R-COCREATE): thin — permission, form or selector, service, page.

Everyone logged in sees a call's sessions. Members of an organisation register and cancel.
Call managers plan sessions and record attendance; their pages are a 404 for everyone else.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cot_portal.accounts.models import Organisation
from cot_portal.accounts.permissions import member_organisation_ids

from .. import selectors_cocreation as selectors
from ..attendance_import import AttendanceFileRejected
from ..forms.cocreation import (
    AttendanceForm,
    AttendanceUploadForm,
    RegistrationForm,
    SessionForm,
)
from ..models import Attendance, CoCreationSession
from ..services import cocreation as services

MANAGE = "applications.manage_sessions"
REGISTER = "applications.register_for_session"
MISSING_PAGE_SIZE = 60
ROW_ERRORS_SHOWN = 200


def manager_only(view):
    """Logged in (else to the login page) and call manager (else a 404)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm(MANAGE):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _call(year):
    call = selectors.call_for_year(year)
    if call is None:
        raise Http404
    return call


def _session(call, pk, user):
    session = selectors.session_for_call(call, pk, user)
    if session is None:
        raise Http404
    return session


def _user_organisations(user):
    return Organisation.objects.filter(pk__in=member_organisation_ids(user)).order_by("name")


def _session_form_values(form):
    return {name: form.cleaned_data.get(name) for name in services.SESSION_FIELDS}


def _apply_validation_error(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- everyone logged in ------------------------------------------------------------------------


@login_required
def session_list(request, year):
    call = _call(year)
    user = request.user
    attendances = selectors.organisation_attendances(user, call=call)
    return render(
        request,
        "applications/cocreation/session_list.html",
        {
            "call": call,
            "sessions": selectors.sessions_for_call(call, user),
            "is_manager": user.has_perm(MANAGE),
            "can_register": user.has_perm(REGISTER),
            "attended": selectors.attended_sessions_by_organisation(attendances),
            "now": timezone.now(),
        },
    )


@login_required
def session_detail(request, year, pk):
    call = _call(year)
    user = request.user
    session = _session(call, pk, user)
    is_manager = user.has_perm(MANAGE)
    context = {
        "call": call,
        "session": session,
        "is_manager": is_manager,
        "can_register": user.has_perm(REGISTER),
        "now": timezone.now(),
    }
    if is_manager:
        context["registrations"] = selectors.session_registrations(session)
    if context["can_register"]:
        organisations = _user_organisations(user)
        context["own_registrations"] = selectors.own_registrations(session, user)
        context["own_attendances"] = selectors.organisation_attendances(user, session=session)
        context["registration_form"] = RegistrationForm(organisations=organisations)
        context["single_organisation"] = organisations[0] if len(organisations) == 1 else None
    return render(request, "applications/cocreation/session_detail.html", context)


@require_POST
@login_required
def session_register(request, year, pk):
    call = _call(year)
    if not request.user.has_perm(REGISTER):
        raise Http404
    session = _session(call, pk, request.user)
    form = RegistrationForm(request.POST, organisations=_user_organisations(request.user))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            services.register_for_session(
                session=session, organisation=form.cleaned_data["organisation"], user=request.user
            )
        except services.CoCreationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("You are registered for “%(title)s”.") % {"title": session.title},
            )
    return redirect("applications:session_detail", year=call.year, pk=session.pk)


@require_POST
@login_required
def session_cancel(request, year, pk):
    call = _call(year)
    if not request.user.has_perm(REGISTER):
        raise Http404
    session = _session(call, pk, request.user)
    try:
        services.cancel_registration(session=session, user=request.user)
    except services.CoCreationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Your registration for “%(title)s” is cancelled.") % {"title": session.title},
        )
    return redirect("applications:session_detail", year=call.year, pk=session.pk)


# --- call managers -----------------------------------------------------------------------------


@manager_only
def session_create(request, year):
    call = _call(year)
    form = SessionForm(request.POST or None, instance=CoCreationSession(call=call))
    if request.method == "POST" and form.is_valid():
        try:
            session = services.create_session(
                call=call, by=request.user, **_session_form_values(form)
            )
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, _("The session was planned."))
            return redirect("applications:session_detail", year=call.year, pk=session.pk)
    return render(
        request, "applications/cocreation/session_form.html", {"call": call, "form": form}
    )


@manager_only
def session_edit(request, year, pk):
    call = _call(year)
    session = get_object_or_404(CoCreationSession, call=call, pk=pk)
    registered = session.registrations.count()
    form = SessionForm(request.POST or None, instance=session, registered=registered)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(session=session, by=request.user, **_session_form_values(form))
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, _("The session was saved."))
            return redirect("applications:session_detail", year=call.year, pk=session.pk)
    return render(
        request,
        "applications/cocreation/session_form.html",
        {"call": call, "form": form, "session": session},
    )


@manager_only
def session_attendance(request, year, pk):
    call = _call(year)
    session = _session(call, pk, request.user)
    form = AttendanceForm(request.POST or None, organisations=selectors.attendance_organisations())
    if request.method == "POST" and form.is_valid():
        try:
            services.record_attendance(
                session=session,
                organisation=form.cleaned_data["organisation"],
                person_name=form.cleaned_data["person_name"],
                person_email=form.cleaned_data["person_email"],
                by=request.user,
            )
        except services.CoCreationError as exc:
            form.add_error("person_name", exc.message)
        else:
            messages.success(
                request,
                _("%(name)s is recorded as present for %(organisation)s.")
                % {
                    "name": form.cleaned_data["person_name"],
                    "organisation": form.cleaned_data["organisation"].name,
                },
            )
            return redirect("applications:session_attendance", year=call.year, pk=session.pk)
    return render(
        request,
        "applications/cocreation/attendance.html",
        {
            "call": call,
            "session": session,
            "form": form,
            "attendances": selectors.session_attendances(session),
        },
    )


@manager_only
def attendance_upload(request, year, pk):
    call = _call(year)
    session = _session(call, pk, request.user)
    form = AttendanceUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.import_attendance_list(
                session=session, filename=upload.name, content=upload.read(), by=request.user
            )
        except AttendanceFileRejected as exc:
            form.add_error("file", exc.message)
        else:
            if report.ok:
                messages.success(
                    request,
                    _(
                        "The attendance list is imported: %(created)s new, %(skipped)s already "
                        "recorded."
                    )
                    % {"created": report.created, "skipped": report.already_recorded},
                )
                return redirect("applications:session_attendance", year=call.year, pk=session.pk)
    return render(
        request,
        "applications/cocreation/attendance_upload.html",
        {
            "call": call,
            "session": session,
            "form": form,
            "report": report,
            "row_errors": report.errors[:ROW_ERRORS_SHOWN] if report else [],
            "more_errors": max(len(report.errors) - ROW_ERRORS_SHOWN, 0) if report else 0,
        },
    )


@require_POST
@manager_only
def attendance_remove(request, year, pk, attendance_pk):
    call = _call(year)
    attendance = get_object_or_404(
        Attendance.objects.select_related("session", "organisation"),
        pk=attendance_pk,
        session_id=pk,
        session__call=call,
    )
    services.remove_attendance(attendance=attendance, by=request.user)
    messages.success(
        request,
        _("The attendance of %(name)s (%(organisation)s) was removed.")
        % {"name": attendance.person_name, "organisation": attendance.organisation.name},
    )
    return redirect("applications:session_attendance", year=call.year, pk=pk)


@manager_only
def missing_attendance(request, year):
    """Local governments that attended no session of the call (R-COCREATE)."""
    call = _call(year)
    paginator = Paginator(selectors.local_governments_without_attendance(call), MISSING_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("pagina"))
    return render(
        request,
        "applications/cocreation/missing.html",
        {
            "call": call,
            "page": page,
            "missing_count": paginator.count,
            "local_government_count": selectors.local_governments().count(),
        },
    )
