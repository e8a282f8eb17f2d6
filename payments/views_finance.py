"""Finance's pages: the dashboard, the check of a tranche request, a payment (issue 8).

Thin: permission → form → service → redirect or render. A request or payment of a grant whose
beneficiary or partner the finance officer belongs to answers 404, like one that does not exist.
A refused action shows the message beside the form and keeps what was typed (status 400).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cot_portal.accounts.decorators import login_required_404
from cot_portal.formatting import euro

from . import selectors_finance as reads
from . import services_payments as services
from .errors import PaymentsError
from .forms_finance import ApproveForm, ProposeForm, RefuseRequestForm, RejectPaymentForm
from .models import PaymentStatus, RequestStatus, TrancheStatus

# --- The dashboard and the SEPA export -----------------------------------------------------------


@login_required
def finance(request):
    if not request.user.has_perm("payments.view_finance"):
        raise Http404
    return render(
        request,
        "payments/finance/dashboard.html",
        {"board": reads.finance_dashboard(request.user)},
    )


@login_required
@require_POST
def sepa_export(request):
    if not request.user.has_perm("payments.export_sepa"):
        raise Http404
    try:
        batch = services.export_sepa(request.user)
    except PaymentsError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("SEPA file %(id)s is ready: %(count)s payments, %(total)s.")
            % {"id": batch.message_id, "count": batch.count, "total": euro(batch.total)},
        )
    return redirect(reverse("payments:finance") + "#sepa")


# --- The check of one tranche request ------------------------------------------------------------


def _request_or_404(request, pk):
    tranche_request = reads.request_by_pk(pk)
    if tranche_request is None or not request.user.has_perm(
        "payments.check_tranche_request", tranche_request
    ):
        raise Http404
    return tranche_request


def _check_context(request, tranche_request, forms):
    tranche = tranche_request.tranche
    grant = tranche.grant
    history, payments = reads.tranche_history(tranche)
    amount, amount_problem = services.amount_to_pay(tranche)
    open_for_check = (
        tranche_request.status == RequestStatus.SENT and tranche.status == TrancheStatus.REQUESTED
    )
    return {
        "tranche_request": tranche_request,
        "tranche": tranche,
        "grant": grant,
        "stored_checks": reads.stored_checks(tranche_request),
        "current_checks": reads.current_checks(tranche, timezone.localdate()),
        "costs": reads.cost_overview(grant),
        "money": reads.grant_money(grant),
        "tranches": reads.grant_tranches(grant),
        "history": history,
        "payments": payments,
        "iban": services.valid_iban(grant.payee_iban),
        "iban_raw": grant.payee_iban,
        "iban_problem": services.iban_error(grant),
        "amount": amount,
        "amount_problem": amount_problem,
        "open_for_check": open_for_check,
        "may_propose": open_for_check
        and request.user.has_perm("payments.propose_payment", tranche_request),
        "may_refuse": open_for_check
        and request.user.has_perm("payments.refuse_tranche_request", tranche_request),
        **forms,
    }


@login_required_404
def request_check(request, pk):
    tranche_request = _request_or_404(request, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        "refuse_form": RefuseRequestForm(
            request.POST if action == "refuse" else None, prefix="refuse"
        ),
        "propose_form": ProposeForm(
            request.POST if action == "propose" else None, prefix="propose"
        ),
    }
    if request.method == "POST":
        form = forms.get(f"{action}_form")
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                if action == "refuse":
                    services.refuse_request(
                        tranche_request, form.cleaned_data["reason"], request.user
                    )
                    messages.success(
                        request,
                        _("The request is refused; the lead applicant is told the reason."),
                    )
                    return redirect("payments:finance")
                payment = services.propose_payment(
                    tranche_request.tranche, request.user, form.cleaned_data["note"]
                )
                messages.success(
                    request,
                    _(
                        "The payment of %(amount)s is proposed; a second finance officer approves it."
                    )
                    % {"amount": euro(payment.amount)},
                )
                return redirect("payments:finance_payment", pk=payment.pk)
            except PaymentsError as error:
                error.add_to(form)
        tranche_request = _request_or_404(request, pk)
        context = _check_context(request, tranche_request, forms)
        return render(request, "payments/finance/request_check.html", context, status=400)
    return render(
        request,
        "payments/finance/request_check.html",
        _check_context(request, tranche_request, forms),
    )


# --- One payment: the second officer's decision ---------------------------------------------------


def _payment_or_404(request, pk):
    payment = reads.payment_by_pk(pk)
    if payment is None or not request.user.has_perm("payments.view_payment", payment):
        raise Http404
    return payment


def _payment_context(request, payment, forms):
    tranche = payment.tranche
    proposed = payment.status == PaymentStatus.PROPOSED
    own = payment.proposed_by_id == request.user.pk
    tranche_request = reads.latest_request(tranche)
    return {
        "payment": payment,
        "tranche": tranche,
        "grant": tranche.grant,
        "tranche_request": tranche_request,
        "stored_checks": reads.stored_checks(tranche_request) if tranche_request else [],
        "ledger_entry": getattr(payment, "ledger_entry", None)
        if payment.status == PaymentStatus.RELEASED
        else None,
        "own": own,
        "may_decide": proposed
        and not own
        and request.user.has_perm("payments.approve_payment", payment),
        "may_reject": proposed
        and not own
        and request.user.has_perm("payments.reject_payment", payment),
        **forms,
    }


@login_required_404
def payment_detail(request, pk):
    payment = _payment_or_404(request, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        "approve_form": ApproveForm(
            request.POST if action == "approve" else None, prefix="approve"
        ),
        "reject_form": RejectPaymentForm(
            request.POST if action == "reject" else None, prefix="reject"
        ),
    }
    if request.method == "POST":
        form = forms.get(f"{action}_form")
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                if action == "approve":
                    services.approve_payment(payment, request.user)
                    messages.success(
                        request,
                        _("The payment of %(amount)s is released and booked in the ledger.")
                        % {"amount": euro(payment.amount)},
                    )
                else:
                    services.reject_payment(payment, request.user, form.cleaned_data["note"])
                    messages.success(
                        request, _("The payment is not approved; the tranche is back to the check.")
                    )
                return redirect("payments:finance_payment", pk=payment.pk)
            except services.AlreadyReleased as error:
                messages.info(request, error.message)
                return redirect("payments:finance_payment", pk=payment.pk)
            except PaymentsError as error:
                error.add_to(form)
        payment = _payment_or_404(request, pk)
        context = _payment_context(request, payment, forms)
        return render(request, "payments/finance/payment.html", context, status=400)
    return render(
        request, "payments/finance/payment.html", _payment_context(request, payment, forms)
    )
