"""The settlement page (R-SETTLE) and the stop page (R-STOP) of a grant — issue 8.

Thin: permission → form → service → redirect or render. A grant the user may not see, or an
action they may not take, answers 404. A refused input re-renders the page with status 400 and
everything that was typed.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cot_portal.accounts.decorators import login_required_404
from cot_portal.formatting import euro

from . import selectors_settlement as reads
from . import services_settlement as services
from .errors import PaymentsError
from .forms_settlement import SettleForm, StopForm
from .models import GrantStatus


def _grant_or_404(request, reference, perm):
    grant = reads.grant_by_reference(reference)
    if not request.user.has_perm(perm, grant):
        raise Http404
    return grant


@login_required_404
def settlement(request, reference):
    """The computation before settling (staff), the settle button (finance), and afterwards the
    result with its letters (everybody who may read the grant)."""
    grant = _grant_or_404(request, reference, "payments.view_settlement")
    user = request.user
    may_settle = user.has_perm("payments.settle_grant", grant)
    form = None
    status = 200
    if request.method == "POST":
        if not may_settle:
            raise Http404
        form = SettleForm(request.POST)
        if form.is_valid():
            try:
                result = services.settle_grant(grant, user)
            except PaymentsError as error:
                error.add_to(form)
            else:
                if result.balance < 0:
                    text = _(
                        "The grant is settled. A recovery of %(amount)s is claimed; the letter is sent to the lead applicant."
                    )
                elif result.balance > 0:
                    text = _(
                        "The grant is settled. Tranche 3 is to be paid for %(amount)s; propose its payment."
                    )
                else:
                    text = _(
                        "The grant is settled. Nothing is left to pay; tranche 3 is cancelled."
                    )
                messages.success(request, text % {"amount": euro(abs(result.balance))})
                return redirect("payments:settlement", reference=grant.reference)
        status = 400
    settled = getattr(grant, "settlement", None)
    preview = None
    if settled is not None:
        figures = reads.settlement_result(grant)
    elif grant.status == GrantStatus.ACTIVE and user.has_perm("payments.preview_settlement", grant):
        figures = preview = reads.settlement_preview(grant)
    else:
        figures = None
    if form is None and may_settle and preview is not None and preview.may_settle:
        form = SettleForm()
    letters = reads.grant_letters(grant)
    return render(
        request,
        "payments/settlement/settlement.html",
        {
            "grant": grant,
            "settlement": settled,
            "figures": figures,
            "preview": preview,
            "form": form,
            "may_settle": may_settle,
            "may_stop": grant.status == GrantStatus.ACTIVE
            and user.has_perm("payments.stop_grant", grant),
            "stop_decision": getattr(grant, "stop_decision", None),
            "recoveries": reads.recoveries(grant),
            "letters": [
                (letter, user.has_perm("letters.view_letter", letter)) for letter in letters
            ],
        },
        status=status,
    )


@login_required_404
def stop(request, reference):
    """R-STOP: the call manager's motivated stop decision, with the repayment claimed."""
    grant = _grant_or_404(request, reference, "payments.stop_grant")
    paid = reads.paid_total(grant)
    running = grant.status == GrantStatus.ACTIVE
    form = StopForm(request.POST if request.method == "POST" else None, paid=paid)
    status = 200
    if request.method == "POST":
        if running and form.is_valid():
            data = form.cleaned_data
            try:
                services.stop_grant(
                    grant, data["reason"], data["motivation"], data["repayment"], request.user
                )
            except PaymentsError as error:
                error.add_to(form)
            else:
                messages.success(
                    request,
                    _(
                        "The support for %(reference)s is stopped; the letter is sent to the lead applicant."
                    )
                    % {"reference": grant.reference},
                )
                return redirect("payments:settlement", reference=grant.reference)
        status = 400
    return render(
        request,
        "payments/settlement/stop.html",
        {
            "grant": grant,
            "form": form,
            "paid": paid,
            "running": running,
        },
        status=status,
    )
