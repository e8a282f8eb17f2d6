"""Reads of the idea phase, with their related rows fetched up front."""

import difflib

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramSimilarity
from django.db import connection
from django.db.models import Count, F, Q

from cot_portal.accounts.models import PARTNER_TYPES, Organisation

from .models import Idea, IdeaStatus


def ideas_for_user(user):
    """Ideas of the user's organisations, and ideas naming them as partner."""
    org_ids = list(user.memberships.values_list("organisation_id", flat=True))
    return (
        Idea.objects.filter(
            Q(organisation_id__in=org_ids) | Q(partners__organisation_id__in=org_ids)
        )
        .distinct()
        .select_related("call", "organisation")
        .order_by("-created_at")
    )


def idea_with_details(reference: str):
    return (
        Idea.objects.select_related("call", "organisation", "created_by", "receipt")
        .prefetch_related("partners__organisation")
        .filter(reference=reference)
        .first()
    )


def partner_candidates(idea):
    return (
        Organisation.objects.filter(type__in=[t.value for t in PARTNER_TYPES], active=True)
        .exclude(pk=idea.organisation_id)
        .order_by("name")
    )


def ideas_of_call(call):
    return (
        Idea.objects.filter(call=call)
        .select_related("organisation")
        .annotate(partner_count=Count("partners"))
        .order_by("reference")
    )


def status_counts(call) -> dict[str, int]:
    rows = Idea.objects.filter(call=call).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def _query_words(idea, limit=30) -> list[str]:
    text = " ".join([idea.title, idea.challenge, idea.solution])
    words = []
    for raw in text.replace("\n", " ").split():
        word = "".join(ch for ch in raw if ch.isalnum()).lower()
        if len(word) > 3 and word not in words:
            words.append(word)
    return words[:limit]


def similar_ideas(idea, limit=5):
    """The submitted ideas of the same call most like this one (Dutch full text + trigram titles).

    On PostgreSQL: full-text rank with the Dutch configuration over title (weight A) and
    challenge/solution (weight B), plus the trigram similarity of the titles. On SQLite (the
    embedded demo) a plain title comparison stands in.
    """
    others = (
        Idea.objects.filter(call_id=idea.call_id)
        .exclude(pk=idea.pk)
        .exclude(status=IdeaStatus.DRAFT)
    )
    others = others.select_related("organisation")
    if connection.vendor != "postgresql":
        scored = [
            (difflib.SequenceMatcher(None, idea.title.lower(), other.title.lower()).ratio(), other)
            for other in others
        ]
        return [other for score, other in sorted(scored, key=lambda s: -s[0]) if score > 0.4][
            :limit
        ]
    words = _query_words(idea)
    if not words:
        return []
    vector = SearchVector("title", weight="A", config="dutch") + SearchVector(
        "challenge", "solution", weight="B", config="dutch"
    )
    query = SearchQuery(" or ".join(words), search_type="websearch", config="dutch")
    return list(
        others.annotate(
            text_rank=SearchRank(vector, query),
            title_similarity=TrigramSimilarity("title", idea.title),
        )
        .annotate(similarity=F("text_rank") + F("title_similarity"))
        .filter(Q(text_rank__gt=0.05) | Q(title_similarity__gt=0.3))
        .order_by("-similarity")[:limit]
    )
