"""The call manager's consensus page per application and the ranking page per call (issue 7).

Thin: permission → form → service → redirect or render. What the manager may not see answers
404: a manager who is conflicted on an application sees nothing of it either (R-JURY).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from applications.models import ApplicationStatus
from cot_portal.accounts.decorators import login_required_404

from . import ranking
from . import selectors_ranking as reads
from . import services_ranking as services
from .forms_ranking import (
    AdjustmentForm,
    ConditionsForm,
    ConsensusForm,
    CutForm,
    DecisionForm,
    DoubtForm,
)
from .services import ScoringError
from .views import _add_service_errors, _call_or_404
from .views_applications import _application_or_404

# --- One application: consensus, doubts, cut, conditions ----------------------------------------


def _consensus_forms(request, application, summary, maxima, work_packages):
    review = summary.review
    step = application.call.score_step
    post = request.POST if request.method == "POST" else None
    action = post.get("action") if post else None
    return {
        "consensus": ConsensusForm(
            post if action == "consensus" else None, maxima=maxima, step=step, prefix="consensus"
        ),
        "doubt": DoubtForm(
            post if action == "doubt" else None,
            prefix="doubt",
            initial={
                "doubtful": bool(review and review.doubtful),
                "motivation": review.doubt_motivation if review else "",
            },
        ),
        "cut": CutForm(
            post if action == "cut" else None,
            prefix="cut",
            work_packages=work_packages,
            initial={
                "work_packages": [wp.pk for wp in review.struck_work_packages.all()]
                if review
                else [],
                "struck_costs": review.struck_costs if review and review.struck_costs else None,
                "reduction": review.reduction if review and review.reduction else None,
                "motivation": review.cut_motivation if review else "",
            },
        ),
        "conditions": ConditionsForm(
            post if action == "conditions" else None,
            prefix="conditions",
            initial={"conditions": review.conditions if review else ""},
        ),
    }


def _handle_consensus_post(request, application, forms) -> str | None:
    """Run the posted action; return a success message, or None when a form shows errors."""
    action = request.POST.get("action")
    user = request.user
    if action == "clear":
        code = request.POST.get("code", "")
        if code not in ranking.SUBCRITERION_CODES:
            raise Http404
        services.clear_consensus(application=application, code=code, manager=user)
        return _("%(code)s: back to the members' mean.") % {"code": code}
    form = forms.get(action)
    if form is None:
        raise Http404
    if (
        action == "consensus"
        and request.POST.get("consensus-code") not in ranking.SUBCRITERION_CODES
    ):
        raise Http404  # the hidden code names no sub-criterion: nothing to show an error beside
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if action == "consensus":
            services.set_consensus(
                application=application,
                code=data["code"],
                points=data["points"],
                motivation=data["motivation"],
                manager=user,
            )
            return _("The consensus on %(code)s is saved.") % {"code": data["code"]}
        if action == "doubt":
            services.set_doubt(
                application=application,
                doubtful=data["doubtful"],
                motivation=data["motivation"],
                manager=user,
            )
            return _("The serious doubts are saved.")
        if action == "cut":
            review, _checks = services.save_cut(
                application=application,
                work_package_ids=data["work_packages"],
                struck_costs=data["struck_costs"],
                reduction=data["reduction"],
                motivation=data["motivation"],
                manager=user,
            )
            return _("The cut is saved.")
        services.save_conditions(
            application=application, conditions=data["conditions"], manager=user
        )
        return _("The conditions are saved.")
    except ScoringError as error:
        _add_service_errors(form, error)
        return None


@login_required_404
def consensus(request, reference):
    application = _application_or_404(request, reference, "scoring.view_consensus")
    may_change = request.user.has_perm("scoring.set_consensus", application)
    if request.method == "POST" and not may_change:
        raise Http404
    summary = reads.application_summary(application)
    maxima = ranking.subcriterion_maxima(summary.section_maxima)
    work_packages = list(application.work_packages.order_by("number"))
    forms = _consensus_forms(request, application, summary, maxima, work_packages)
    if request.method == "POST":
        done = _handle_consensus_post(request, application, forms)
        if done:
            messages.success(request, done)
            action = request.POST.get("action", "")
            if action in ("consensus", "clear"):
                code = request.POST.get("consensus-code") or request.POST.get("code", "")
                anchor = f"line-{code}"
            else:
                anchor = action
            url = reverse("scoring:consensus", args=[application.reference])
            return redirect(f"{url}#{anchor}")
        summary = reads.application_summary(application)
    review = summary.review
    awarded, cut_checks = services.cut_figures(
        summary,
        review.struck_costs if review else 0,
        review.reduction if review else 0,
    )
    posted_code = (
        forms["consensus"].data.get("consensus-code") if forms["consensus"].is_bound else None
    )
    return render(
        request,
        "scoring/ranking/consensus.html",
        {
            "application": application,
            "call": application.call,
            "summary": summary,
            "may_change": may_change,
            "forms": forms,
            "posted_code": posted_code,
            "awarded": awarded,
            "cut_checks": cut_checks,
            "work_packages": work_packages,
            "section_labels": ranking.SECTION_LABELS,
            "jurors": [sheet.juror for sheet in summary.sheets],
        },
        status=400 if request.method == "POST" else 200,
    )


# --- The call: ranking, R-EXTRA, advice, decision -----------------------------------------------


def _ranking_post(request, call, adjust_form, decision_form) -> str | None:
    action = request.POST.get("action")
    user = request.user
    try:
        if action == "adjust":
            if not adjust_form.is_valid():
                return None
            data = adjust_form.cleaned_data
            services.adjust_ranking(
                application=adjust_form.application_objects[data["application"]],
                position=data["position"],
                motivation=data["motivation"],
                manager=user,
            )
            return _("The adjustment is recorded.")
        if action == "unadjust":
            application = next(
                (
                    a
                    for a in adjust_form.application_objects.values()
                    if str(a.pk) == request.POST.get("application")
                ),
                None,
            )
            if application is None:
                raise Http404
            services.remove_adjustment(application=application, manager=user)
            return _("The adjustment is withdrawn.")
        if action == "freeze":
            services.freeze_advice(call=call, manager=user)
            return _("The advice is frozen. Download it as PDF or xlsx below.")
        if action == "decide":
            if not decision_form.is_valid():
                return None
            data = decision_form.cleaned_data
            services.record_decision(
                call=call,
                decision_date=data["decision_date"],
                decision_reference=data["decision_reference"],
                manager=user,
            )
            return _(
                "The decision is recorded. The decision letters are being prepared and e-mailed."
            )
    except ScoringError as error:
        form = decision_form if action == "decide" else adjust_form
        if action == "freeze":
            for problem in error.messages:
                messages.error(request, problem)
            return ""
        _add_service_errors(form, error)
        return None
    raise Http404


@login_required
def ranking_page(request, year):
    call = _call_or_404(year)
    if not request.user.has_perm("scoring.view_ranking", call):
        raise Http404
    user = request.user
    # One ranking per request: its summaries also give the applications the manager may move.
    result = reads.call_ranking(call)
    applications = sorted(
        (
            line.summary.application
            for line in result.lines
            if line.summary.application.status == ApplicationStatus.ADMISSIBLE
        ),
        key=lambda application: application.reference,
    )
    post = request.POST if request.method == "POST" else None
    action = post.get("action") if post else None
    adjust_form = AdjustmentForm(
        post if action == "adjust" else None, prefix="adjust", applications=applications
    )
    decision_form = DecisionForm(post if action == "decide" else None, prefix="decide")
    if post is not None:
        needed = {
            "adjust": "scoring.adjust_ranking",
            "unadjust": "scoring.adjust_ranking",
            "freeze": "scoring.freeze_advice",
            "decide": "scoring.record_decision",
        }.get(action)
        if needed is None or not user.has_perm(needed, call):
            raise Http404
        done = _ranking_post(request, call, adjust_form, decision_form)
        if done is not None:
            if done:
                messages.success(request, done)
            return redirect("scoring:ranking", year=call.year)
        result = reads.call_ranking(call)  # a refused action: the ranking as it stands now
    advice, decision, outcomes = reads.advice_and_decision(call)
    advice_current = (
        advice is not None and decision is None and services.advice_is_current(call, advice, result)
    )
    return render(
        request,
        "scoring/ranking/ranking.html",
        {
            "call": call,
            "result": result,
            "advice": advice,
            "advice_current": advice_current,
            "decision": decision,
            "outcomes": outcomes,
            "letters_missing": sum(1 for o in outcomes if o.letter_id is None),
            "adjust_form": adjust_form,
            "decision_form": decision_form,
            "may_adjust": user.has_perm("scoring.adjust_ranking", call),
            "may_freeze": user.has_perm("scoring.freeze_advice", call),
            "may_decide": user.has_perm("scoring.record_decision", call),
            "FUNDED": ranking.FUNDED,
            "RESERVE": ranking.RESERVE,
        },
        status=400 if post is not None else 200,
    )
