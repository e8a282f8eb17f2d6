"""The jury's work on ideas: conflict gate, scores, consensus, shortlist and its letters.

R-JURY (conflicts of interest, seed 000), R-SL (six criteria, maxima, step), R-SL-GATE (publish
once, every idea decided), R-LETTER (a Dutch PDF per idea with the outcome and feedback).
"""

import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from applications.models import IdeaStatus
from cot_portal.core.files import download_url
from cot_portal.letters.models import Letter
from scoring import selectors, services, tasks
from scoring.models import (
    IdeaAssessment,
    IdeaConflict,
    IdeaConsensus,
    IdeaScoreSheet,
    SheetStatus,
    ShortlistPublication,
)
from tests.factories import IdeaFactory, idea_partner, member_of, municipality, open_call
from tests.factories_scoring import (
    call_manager,
    decide,
    declare,
    juror,
    scores,
    submitted_idea,
    submitted_sheet,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dutch_without_2fa")]

GENT, KORTRIJK, LEUVEN = "44021", "34022", "24062"


@pytest.fixture
def call():
    return open_call()


@pytest.fixture
def idea(call):
    """Gent's submitted idea with Kortrijk as a named partner."""
    idea = submitted_idea(call=call, organisation=municipality(GENT), title="Slimme parking Gent")
    idea_partner(idea, municipality(KORTRIJK))
    return idea


def page(client, user, url, method="get", **data):
    client.force_login(user)
    return getattr(client, method)(url, data) if data or method == "post" else client.get(url)


def text(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def pdf_text(letter) -> str:
    with letter.pdf.open("rb") as fh:
        data = fh.read()
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def urls(idea):
    year = idea.call.year
    return {
        "list": reverse("scoring:idea_list", args=[year]),
        "detail": reverse("scoring:idea_detail", args=[idea.reference]),
        "declare": reverse("scoring:idea_declare", args=[idea.reference]),
        "assessment": reverse("scoring:idea_assessment", args=[idea.reference]),
        "shortlist": reverse("scoring:shortlist", args=[year]),
        "publish": reverse("scoring:shortlist_publish", args=[year]),
    }


def score_post(points=("15", "12,5", "14", "10", "7,5", "6"), action="save", **extra):
    data = {"action": action}
    for n, value in enumerate(points, start=1):
        data[f"points_{n}"] = value
        data[f"feedback_{n}"] = f"Feedback {n}"
    data.update(extra)
    return data


def publish(client, manager, idea, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(urls(idea)["publish"], {"confirm": "on"})


# --- The conflict-of-interest gate ---------------------------------------------------------


def test_the_jury_list_shows_submitted_ideas_with_only_reference_title_and_organisations(
    client, call, idea
):
    draft = IdeaFactory(call=call, title="Nog een kladversie")
    response = page(client, juror(), urls(idea)["list"])
    assert response.status_code == 200
    body = text(response)
    assert idea.reference in body and "Slimme parking Gent" in body
    assert "Gent" in body and "Kortrijk" in body
    assert draft.reference not in body and "Nog een kladversie" not in body
    assert idea.challenge not in body  # nothing of the content before the declaration
    assert urls(idea)["declare"] in body


def test_an_undeclared_juror_is_sent_to_the_declaration_which_shows_only_the_cover(client, idea):
    member = juror()
    response = page(client, member, urls(idea)["detail"])
    assert response.status_code == 302
    assert response.url == urls(idea)["declare"]

    body = text(client.get(urls(idea)["declare"]))
    assert idea.reference in body and idea.title in body
    assert "Gent" in body and "Kortrijk" in body
    assert idea.challenge not in body and idea.solution not in body
    assert "1.200.000" not in body
    # Scoring without a declaration is refused as if the idea did not exist.
    assert client.post(urls(idea)["detail"], score_post()).status_code == 404
    assert not IdeaScoreSheet.objects.exists()


def test_declaring_no_conflict_opens_the_idea_beside_the_score_form(client, idea):
    member = juror()
    response = page(client, member, urls(idea)["declare"], "post", declaration="no")
    assert response.status_code == 302 and response.url == urls(idea)["detail"]
    conflict = IdeaConflict.objects.get(idea=idea, juror=member)
    assert conflict.has_conflict is False and conflict.automatic is False

    body = text(client.get(urls(idea)["detail"]))
    assert idea.challenge in body and idea.openness in body and idea.work_packages in body
    assert "€ 1.200.000,00" in body
    assert "Kortrijk" in body
    assert "Smart mobility" in body or "mobiliteit" in body.lower()
    for n in range(1, 7):
        assert f'name="points_{n}"' in body and f'name="feedback_{n}"' in body
    assert 'inputmode="decimal"' in body


def test_a_conflict_needs_a_reason(client, idea):
    response = page(client, juror(), urls(idea)["declare"], "post", declaration="yes", reason="")
    assert response.status_code == 200
    assert "is-invalid" in text(response)
    assert not IdeaConflict.objects.exists()


def test_a_conflicted_juror_sees_nothing_of_the_idea(
    client, idea, settings, django_capture_on_commit_callbacks
):
    member = juror()
    response = page(
        client,
        member,
        urls(idea)["declare"],
        "post",
        declaration="yes",
        reason="Mijn partner werkt er",
    )
    assert response.status_code == 302 and response.url == urls(idea)["list"]
    assert client.get(urls(idea)["detail"]).status_code == 404
    assert client.post(urls(idea)["detail"], score_post()).status_code == 404
    assert client.get(urls(idea)["declare"]).status_code == 404
    assert client.post(urls(idea)["declare"], {"declaration": "no"}).status_code == 404
    body = text(client.get(urls(idea)["list"]))
    assert urls(idea)["detail"] not in body and urls(idea)["declare"] not in body
    assert 'id="conflicts-heading"' in body
    # The conflict is final: "no conflict" afterwards changes nothing.
    services.declare_idea_conflict(idea=idea, juror=member, has_conflict=False)
    assert IdeaConflict.objects.get(idea=idea, juror=member).has_conflict is True

    # ... nor its letter after publication.
    manager = call_manager()
    submitted_sheet(idea, juror())
    decide(idea, manager, shortlisted=True)
    publish(client, manager, idea, settings, django_capture_on_commit_callbacks)
    letter = IdeaAssessment.objects.get(idea=idea).letter
    assert page(client, member, download_url(letter, "pdf")).status_code == 404
    assert client.get(urls(idea)["detail"]).status_code == 404


def test_a_juror_who_is_a_member_of_a_partner_is_conflicted_without_declaring(client, idea):
    member = juror()
    member.memberships.create(organisation=municipality(KORTRIJK))
    assert not member.has_perm("scoring.view_idea_for_jury", idea)
    assert not member.has_perm("scoring.declare_idea_conflict", idea)
    for name in ("detail", "declare"):
        assert page(client, member, urls(idea)[name]).status_code == 404
    assert client.post(urls(idea)["detail"], score_post()).status_code == 404
    body = text(client.get(urls(idea)["list"]))
    assert urls(idea)["declare"] not in body and 'id="conflicts-heading"' in body
    # Declaring "no conflict" through the service records the automatic conflict instead.
    conflict = declare(idea, member, conflict=False)
    assert conflict.has_conflict is True and conflict.automatic is True


def test_a_juror_who_joins_a_partner_after_scoring_no_longer_counts(client, idea):
    member = juror(first_name="Ann", last_name="Later")
    other = juror(first_name="Bert", last_name="Blijft")
    submitted_sheet(idea, member, points=[20, 20, 20, 20, 10, 10])
    submitted_sheet(idea, other)
    member.memberships.create(organisation=municipality(KORTRIJK))
    assert page(client, member, urls(idea)["detail"]).status_code == 404

    body = text(page(client, call_manager(), urls(idea)["assessment"]))
    assert "Bert Blijft" in body
    assert re.search(r"Ann Later[^<]*\(", body)  # listed only among the conflicts
    summary = selectors.idea_summary(idea)
    assert [s.juror for s in summary.sheets] == [other]
    assert summary.criteria[0].mean == Decimal("15")


def test_a_juror_of_the_idea_organisation_itself_is_conflicted(client, idea):
    member = member_of(municipality(GENT))
    from django.contrib.auth.models import Group

    member.groups.add(Group.objects.get_or_create(name="jury_member")[0])
    assert page(client, member, urls(idea)["detail"]).status_code == 404


# --- The juror's score sheet ------------------------------------------------------------------


def test_a_draft_may_be_partial_then_the_complete_sheet_is_submitted_and_read_only(client, idea):
    member = juror()
    declare(idea, member)
    client.force_login(member)
    response = client.post(
        urls(idea)["detail"], score_post(points=("12,5", "", "", "", "", ""), action="save")
    )
    assert response.status_code == 302
    sheet = IdeaScoreSheet.objects.get(idea=idea, juror=member)
    assert sheet.status == SheetStatus.DRAFT
    assert sheet.scores.get(criterion=1).points == Decimal("12.5")
    assert not sheet.scores.get(criterion=2).points
    body = text(client.get(urls(idea)["detail"]))
    assert 'value="12,5"' in body and "Feedback 1" in body

    response = client.post(urls(idea)["detail"], score_post(action="submit"))
    assert response.status_code == 302 and response.url == urls(idea)["list"]
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED and sheet.submitted_at is not None
    assert [s.points for s in sheet.scores.order_by("criterion")] == [
        Decimal(v) for v in ("15", "12.5", "14", "10", "7.5", "6")
    ]

    body = text(client.get(urls(idea)["detail"]))
    assert 'name="points_1"' not in body  # read-only now
    assert "12,5 / 20" in body
    response = client.post(urls(idea)["detail"], score_post(points=("1",) * 6, action="submit"))
    assert response.status_code == 302
    assert sheet.scores.get(criterion=1).points == Decimal("15")


def test_invalid_points_keep_everything_typed_and_say_what_is_wrong(client, idea):
    member = juror()
    declare(idea, member)
    client.force_login(member)
    response = client.post(
        urls(idea)["detail"],
        score_post(
            points=("25", "12,3", "abc", "", "10,5", "4"), action="save", feedback_1="Mijn tekst"
        ),
    )
    assert response.status_code == 200
    body = text(response)
    for typed in ('value="25"', 'value="12,3"', 'value="abc"', 'value="10,5"', 'value="4"'):
        assert typed in body
    assert "Mijn tekst" in body and "Feedback 6" in body
    form = response.context["form"]
    assert "20" in form.errors["points_1"][0]
    assert "0,5" in form.errors["points_2"][0] and "20" in form.errors["points_2"][0]
    assert "points_3" in form.errors
    assert "10" in form.errors["points_5"][0]
    assert "points_4" not in form.errors and "points_6" not in form.errors
    assert not IdeaScoreSheet.objects.exists()


def test_submitting_needs_points_on_every_criterion(client, idea):
    member = juror()
    declare(idea, member)
    client.force_login(member)
    response = client.post(
        urls(idea)["detail"],
        score_post(points=("15", "12,5", "", "10", "7,5", "6"), action="submit"),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["points_3"]
    assert 'value="12,5"' in text(response)
    assert not IdeaScoreSheet.objects.exists()


def test_the_service_refuses_what_the_form_would_refuse(idea):
    member = juror()
    declare(idea, member)
    with pytest.raises(services.ScoringError) as error:
        services.save_idea_sheet(
            idea=idea, juror=member, scores=scores([21, 20, 20, 20, 10, None]), submit=True
        )
    assert set(error.value.message_dict) == {"points_1", "points_6"}


# --- The call manager ----------------------------------------------------------------------


def test_the_manager_sees_submitted_scores_per_member_and_the_mean(client, idea):
    ann, bert, drafter = (
        juror(first_name="Ann", last_name="Aerts"),
        juror(first_name="Bert", last_name="Bos"),
        juror(first_name="Dirk", last_name="Draft"),
    )
    submitted_sheet(idea, ann, points=[15, 12, 14, 10, 7.5, 6])
    submitted_sheet(idea, bert, points=[12.5, 12.5, 15, 9, 8, 5])
    declare(idea, drafter)
    services.save_idea_sheet(
        idea=idea, juror=drafter, scores=scores([1, None, None, None, None, None])
    )

    response = page(client, call_manager(), urls(idea)["assessment"])
    assert response.status_code == 200
    body = text(response)
    assert "Ann Aerts" in body and "Bert Bos" in body
    assert "Dirk Draft" not in body  # drafts do not count
    form = response.context["form"]
    # The consensus starts from the mean, half up to one decimal: (15 + 12,5) / 2 = 13,75 → 13,8.
    assert form.initial["points_1"] == Decimal("13.8")
    assert form.initial["points_2"] == Decimal("12.3")
    assert 'value="13,8"' in body
    summary = response.context["summary"]
    assert summary.mean_total == Decimal("13.8") + Decimal("12.3") + Decimal("14.5") + Decimal(
        "9.5"
    ) + Decimal("7.8") + Decimal("5.5")


def test_the_manager_sets_consensus_feedback_and_decision(client, idea):
    submitted_sheet(idea, juror())
    manager = call_manager()
    data = {
        "general_feedback": "Een sterk idee.",
        "improvement_track": "Werk het verdienmodel uit.",
        "decision": "yes",
    }
    for n, value in enumerate(["16", "12,5", "14", "10", "7", "6,3"], start=1):
        data[f"points_{n}"] = value
        data[f"feedback_{n}"] = f"Consensus {n}"
    response = page(client, manager, urls(idea)["assessment"], "post", **data)
    assert response.status_code == 302
    assessment = IdeaAssessment.objects.get(idea=idea)
    assert assessment.shortlisted is True and assessment.updated_by == manager
    assert assessment.improvement_track == "Werk het verdienmodel uit."
    consensus = {c.criterion: c for c in IdeaConsensus.objects.filter(assessment=assessment)}
    assert consensus[6].points == Decimal("6.3") and consensus[1].feedback == "Consensus 1"

    body = text(client.get(urls(idea)["shortlist"]))
    assert idea.reference in body and "65,8" in body  # 16+12,5+14+10+7+6,3
    assert "Op de shortlist" in body or "On the shortlist" in body


def test_consensus_out_of_range_keeps_the_form_and_changes_nothing(client, idea):
    data = {"decision": "no"}
    for n, value in enumerate(["21", "12,5", "14", "10", "7", ""], start=1):
        data[f"points_{n}"] = value
    response = page(client, call_manager(), urls(idea)["assessment"], "post", **data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"points_1", "points_6"} and "20" in errors["points_1"][0]
    assert 'value="21"' in text(response)
    assert not IdeaAssessment.objects.exists()


def test_publishing_refuses_while_an_idea_has_no_decision(
    client, call, idea, settings, django_capture_on_commit_callbacks
):
    other = submitted_idea(call=call)
    manager = call_manager()
    decide(idea, manager, shortlisted=True)
    decide(other, manager, shortlisted=None)
    response = publish(client, manager, idea, settings, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(other.reference in m and idea.reference not in m for m in messages)
    assert not ShortlistPublication.objects.exists()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED
    assert not Letter.objects.exists()
    assert other.reference in text(client.get(urls(idea)["shortlist"]))


def test_publishing_needs_the_confirmation(
    client, idea, settings, django_capture_on_commit_callbacks
):
    manager = call_manager()
    decide(idea, manager)
    client.force_login(manager)
    client.post(urls(idea)["publish"], {})
    assert not ShortlistPublication.objects.exists()


def test_publishing_moves_the_ideas_and_sends_one_letter_each(
    client, call, idea, settings, django_capture_on_commit_callbacks, mailoutbox
):
    applicant = member_of(municipality(GENT), email="aanvrager@gent.example")
    rejected = submitted_idea(call=call, organisation=municipality(LEUVEN), title="Idee Leuven")
    manager = call_manager()
    submitted_sheet(idea, juror())
    decide(
        idea,
        manager,
        shortlisted=True,
        general_feedback="Sterk en schaalbaar idee.",
        improvement_track="Betrek een tweede kennispartner.",
    )
    decide(rejected, manager, shortlisted=False, points=[5, 5, 5, 5, 2.5, 2])

    response = publish(client, manager, idea, settings, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    idea.refresh_from_db()
    rejected.refresh_from_db()
    assert idea.status == IdeaStatus.SHORTLISTED
    assert rejected.status == IdeaStatus.NOT_SHORTLISTED
    publication = ShortlistPublication.objects.get(call=call)
    assert publication.published_by == manager

    letter = IdeaAssessment.objects.get(idea=idea).letter
    assert letter.kind == "shortlist" and letter.organisation == municipality(GENT)
    assert applicant.email in letter.recipients and idea.created_by.email in letter.recipients
    assert letter.about == idea
    content = pdf_text(letter)
    assert "Op de shortlist" in content
    assert "Niet op de shortlist" not in content
    assert "Consensusfeedback (1)" in content
    assert "Betrek een tweede kennispartner." in content
    assert "Sterk en schaalbaar idee." in content
    assert "12,5 / 20" in content and idea.reference in content
    assert "Sterk punt" not in content  # the jurors' own feedback stays internal

    other_letter = IdeaAssessment.objects.get(idea=rejected).letter
    assert "Niet op de shortlist" in pdf_text(other_letter)
    assert len(mailoutbox) == 2

    # Publishing twice does nothing more; the task run again issues nothing.
    publish(client, manager, idea, settings, django_capture_on_commit_callbacks)
    assert ShortlistPublication.objects.count() == 1
    assert Letter.objects.filter(kind="shortlist").count() == 2
    assert tasks.issue_shortlist_letters(call.pk) == 0
    assert tasks.issue_missing_shortlist_letters() == 0
    assert services.publish_shortlist(call=call, manager=manager) == publication

    # After publication nothing changes any more.
    with pytest.raises(services.ScoringError):
        decide(idea, manager, shortlisted=False)
    body = text(client.get(urls(idea)["assessment"]))
    assert 'name="decision"' not in body and "Betrek een tweede kennispartner." in body


def test_the_letter_task_is_idempotent_and_catches_up(
    call, idea, django_capture_on_commit_callbacks
):
    manager = call_manager()
    decide(idea, manager)
    with django_capture_on_commit_callbacks(execute=False):
        services.publish_shortlist(call=call, manager=manager)  # the worker is down
    assert IdeaAssessment.objects.get(idea=idea).letter is None
    assert tasks.issue_missing_shortlist_letters() == 1
    assert tasks.issue_shortlist_letters(call.pk) == 0
    assert Letter.objects.filter(kind="shortlist").count() == 1


def test_scores_can_no_longer_change_after_publication(
    client, call, idea, settings, django_capture_on_commit_callbacks
):
    member = juror()
    declare(idea, member)
    manager = call_manager()
    decide(idea, manager)
    publish(client, manager, idea, settings, django_capture_on_commit_callbacks)
    client.force_login(member)
    body = text(client.get(urls(idea)["detail"]))
    assert 'name="points_1"' not in body
    client.post(urls(idea)["detail"], score_post(action="submit"))
    assert not IdeaScoreSheet.objects.filter(juror=member).exists()


# --- Who may not see the jury's work --------------------------------------------------------


def test_the_applicant_reaches_no_jury_page_but_downloads_its_letter_after_publication(
    client, idea, settings, django_capture_on_commit_callbacks
):
    applicant = member_of(municipality(GENT))
    manager = call_manager()
    submitted_sheet(idea, juror())
    decide(idea, manager)
    letter_url = None
    for name, url in urls(idea).items():
        method = "post" if name == "publish" else "get"
        assert page(client, applicant, url, method).status_code == 404, name
    assert not ShortlistPublication.objects.exists()

    publish(client, manager, idea, settings, django_capture_on_commit_callbacks)
    letter = IdeaAssessment.objects.get(idea=idea).letter
    letter_url = download_url(letter, "pdf")
    for name, url in urls(idea).items():
        assert page(client, applicant, url).status_code == 404, name
    response = page(client, applicant, letter_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_another_municipality_and_anonymous_see_nothing(
    client, idea, settings, django_capture_on_commit_callbacks
):
    manager = call_manager()
    decide(idea, manager)
    publish(client, manager, idea, settings, django_capture_on_commit_callbacks)
    letter_url = download_url(IdeaAssessment.objects.get(idea=idea).letter, "pdf")

    leuven = member_of(municipality(LEUVEN))
    for name, url in urls(idea).items():
        assert page(client, leuven, url).status_code == 404, name
    assert client.get(letter_url).status_code == 404

    client.logout()
    call_level = {"list", "shortlist", "publish"}  # pages of a call, not of this idea
    for name, url in urls(idea).items():
        response = client.post(url) if name == "publish" else client.get(url)
        if any(name.startswith(level) for level in call_level):
            assert response.status_code == 302 and "/account/" in response.url, name
        else:
            assert response.status_code == 404, name  # the idea's pages reveal nothing
    assert client.get(letter_url).status_code == 404


def test_a_juror_cannot_reach_the_managers_pages_and_a_manager_not_the_jury_list(client, idea):
    member = juror()
    declare(idea, member)
    for name in ("assessment", "shortlist"):
        assert page(client, member, urls(idea)[name]).status_code == 404
    assert client.post(urls(idea)["publish"], {"confirm": "on"}).status_code == 404
    manager = call_manager()
    for name in ("list", "detail", "declare"):
        assert page(client, manager, urls(idea)[name]).status_code == 404


def test_unknown_calls_and_ideas_are_404(client, call):
    member, manager = juror(), call_manager()
    assert page(client, member, reverse("scoring:idea_list", args=[1999])).status_code == 404
    assert (
        page(client, member, reverse("scoring:idea_detail", args=["GEEN-IDEE"])).status_code == 404
    )
    assert page(client, manager, reverse("scoring:shortlist", args=[1999])).status_code == 404
    draft = IdeaFactory(call=call)
    assert (
        page(client, member, reverse("scoring:idea_detail", args=[draft.reference])).status_code
        == 404
    )
    assert (
        page(
            client, manager, reverse("scoring:idea_assessment", args=[draft.reference])
        ).status_code
        == 404
    )


# --- Dashboard panels -----------------------------------------------------------------------


def render_tag(source, user):
    return (
        Template("{% load scoring_tags %}" + source)
        .render(Context({"user": user}))
        .replace("\xa0", " ")
    )


def test_the_jury_panel_counts_what_a_juror_still_has_to_do(call, idea):
    submitted_idea(call=call)
    scored = submitted_idea(call=call)
    member = juror()
    declare(idea, member)
    submitted_sheet(scored, member)
    html = render_tag("{% jury_panel user %}", member)
    assert reverse("scoring:idea_list", args=[call.year]) in html
    cells = re.findall(r'<td class="text-end">(\d+)</td>', html)
    assert cells == ["1", "1", "1"]  # to declare, to score, submitted
    assert render_tag("{% jury_panel user %}", call_manager()).strip() == ""
    assert '<h3 id="jury-ideas-heading"' in render_tag(
        "{% jury_panel user heading_level=3 %}", member
    )


def test_the_manager_panel_counts_submitted_scored_decided_and_published(call, idea):
    submitted_idea(call=call)
    manager = call_manager()
    submitted_sheet(idea, juror())
    decide(idea, manager)
    html = render_tag("{% shortlist_manager_panel %}", manager)
    assert reverse("scoring:shortlist", args=[call.year]) in html
    assert re.findall(r'<td class="text-end">(\d+)</td>', html) == ["2", "1", "1"]
    assert "Niet gepubliceerd" in html or "Not published" in html
    assert render_tag("{% shortlist_manager_panel %}", juror()).strip() == ""


# --- Query counts stay flat -----------------------------------------------------------------


def _ideas_with_work(call, count, manager, jurors):
    ideas = [submitted_idea(call=call, organisation=municipality(GENT)) for _ in range(count)]
    for idea in ideas:
        idea_partner(idea, municipality(KORTRIJK))
        for member in jurors:
            submitted_sheet(idea, member)
        decide(idea, manager)
    return ideas


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["list", "shortlist"])
def test_the_jury_list_and_the_shortlist_do_not_grow_with_the_ideas(
    client, call, name, django_assert_max_num_queries
):
    manager = call_manager()
    jurors = [juror(), juror()]
    viewer = jurors[0] if name == "list" else manager
    ideas = _ideas_with_work(call, 3, manager, jurors)
    url = urls(ideas[0])[name]
    client.force_login(viewer)
    client.get(url)  # warm caches (content types, sessions)
    few = _queries(client, url)
    _ideas_with_work(call, 27, manager, jurors)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    body = text(response)
    assert body.count("IDEE-T-") >= 30


def test_the_back_office_shows_the_records_and_their_history_read_only(client, idea):
    from tests.factories import UserFactory

    submitted_sheet(idea, juror())
    decide(idea, call_manager())
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for model in ("ideascoresheet", "ideaassessment", "ideaconflict"):
        pk = (
            {
                "ideascoresheet": IdeaScoreSheet,
                "ideaassessment": IdeaAssessment,
                "ideaconflict": IdeaConflict,
            }[model]
            .objects.get()
            .pk
        )
        assert client.get(reverse(f"admin:scoring_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:scoring_{model}_history", args=[pk])).status_code == 200
        change = client.post(reverse(f"admin:scoring_{model}_change", args=[pk]), {})
        assert change.status_code == 403
