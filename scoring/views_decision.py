"""The applicant's decision page (R-LETTER): the outcome, the section scores and the letter.

Only what the decision letter says: never jurors, individual scores, flags, notes, questions or
the position in the ranking. Lead and partner members see it once the letter exists; anybody
else gets a 404.
"""

from django.shortcuts import render

from applications.views.application import application_or_404
from cot_portal.accounts.decorators import login_required_404

from .models import DecisionOutcome
from .services_decision_letters import section_rows, total_maximum


@login_required_404
def applicant_decision(request, year, slug):
    application = application_or_404(request, year, slug, perm="scoring.view_decision_as_applicant")
    outcome = DecisionOutcome.objects.select_related("decision", "letter").get(
        application=application
    )
    rows = section_rows(outcome)
    letter = outcome.letter
    return render(
        request,
        "scoring/decision/applicant.html",
        {
            "application": application,
            "outcome": outcome,
            "decision": outcome.decision,
            "sections": rows,
            "total_maximum": total_maximum(rows),
            "letter": letter,
            "may_download": request.user.has_perm("letters.view_letter", letter),
        },
    )
