"""Reads for the jury's question thread to the applicant (R-JURY-Q).

Every read runs a fixed number of queries, whatever the number of questions: the asker and the
answerer come with the question (select_related). The thread lives in its own table beside the
application; it is never part of a Submission snapshot.
"""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from applications.models import Application, ApplicationPartner

from .models import JuryQuestion


def application_for_questions(year: int, slug: str) -> Application | None:
    """The application of the applicant's question page, with what its permissions read."""
    return (
        Application.objects.select_related("call", "organisation")
        .prefetch_related(
            Prefetch(
                "partners",
                queryset=ApplicationPartner.objects.select_related("organisation").order_by("pk"),
            )
        )
        .filter(call__year=year, slug=slug)
        .first()
    )


def questions_of(application: Application) -> list[JuryQuestion]:
    """The thread of one application, oldest first, with asker and answerer (one query)."""
    return list(
        JuryQuestion.objects.filter(application=application)
        .select_related("asked_by", "answered_by")
        .order_by("asked_at", "pk")
    )


@dataclass(frozen=True)
class QuestionCounts:
    total: int
    open: int

    @property
    def answered(self) -> int:
        return self.total - self.open


def question_counts(application: Application) -> QuestionCounts:
    """How many questions the application has and how many still wait for an answer (one query)."""
    counts = JuryQuestion.objects.filter(application=application).aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(answer=""))
    )
    return QuestionCounts(total=counts["total"], open=counts["open"])
