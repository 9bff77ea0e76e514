"""Challenges, decisions and agenda items about indicators and risks: raised from their
pages exactly as on an action's page, answered by the owner, accepted by the member."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts import permissions
from board import selectors, services
from board.models import AgendaItem, Challenge, Decision
from tests.factories import AgendaItemFactory, DecisionFactory, IndicatorFactory, RiskFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture(params=["indicator", "risk"])
def kind(request):
    return request.param


@pytest.fixture
def target(kind, officer):
    """An indicator or a risk owned by `officer`."""
    if kind == "indicator":
        return IndicatorFactory(name="Social worker vacancy rate", owner=officer)
    return RiskFactory(reference="R7", title="Caseloads stay too high", owner=officer)


def raise_url(kind, target):
    return reverse("board:challenge_create", args=[kind, target.pk])


def raised(target, member, question="Why has this not moved?", **kwargs):
    return services.challenge_raise(user=member, target=target, question=question, **kwargs)


# --- The whole thread ---------------------------------------------------------------


def test_member_raises_owner_answers_member_accepts(as_user, board_member, officer, kind, target):
    member, owner = as_user(board_member), as_user(officer)

    response = member.post(
        raise_url(kind, target), {"question": "Why has this not moved?"}, headers=HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="board-challenges">')
    assert "<html" not in body
    assert f"Your challenge has been sent to {escape(officer.display_name)}." in body
    challenge = Challenge.objects.get()
    assert getattr(challenge, kind) == target
    assert challenge.target == target
    assert challenge.target_field == kind
    assert challenge.target_noun == kind
    assert (challenge.raised_by, challenge.assigned_to) == (board_member, officer)
    assert challenge.state == Challenge.State.OPEN
    assert list(selectors.open_challenges_for(officer)) == [challenge]

    response = owner.post(
        reverse("board:challenge_answer", args=[challenge.pk]),
        {f"c{challenge.pk}-text": "New recruits start in March."},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert (
        response.content.decode()
        .lstrip()
        .startswith(f'<div class="govuk-summary-card app-challenge" id="challenge-{challenge.pk}">')
    )
    assert b"New recruits start in March." in response.content
    challenge.refresh_from_db()
    assert challenge.state == Challenge.State.ANSWERED
    assert list(selectors.answers_to_review_for(board_member)) == [challenge]

    response = member.post(
        reverse("board:challenge_accept", args=[challenge.pk]),
        {f"c{challenge.pk}-text": "Thank you."},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert b"The challenge is closed" in response.content
    challenge.refresh_from_db()
    assert (challenge.state, challenge.outcome) == (Challenge.State.ACCEPTED, "Thank you.")
    assert challenge.closed_at is not None


def test_raising_without_javascript_returns_to_the_page(
    as_user, board_member, officer, kind, target
):
    response = as_user(board_member).post(
        raise_url(kind, target), {"question": "Q?", "next": target.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == target.get_absolute_url()
    assert Challenge.objects.get().assigned_to == officer


def test_plain_raise_form_names_the_target(as_user, board_member, kind, target):
    response = as_user(board_member).get(raise_url(kind, target))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"{kind.capitalize()}: {target}" in body


def test_empty_question_is_refused_in_the_fragment(as_user, board_member, kind, target):
    response = as_user(board_member).post(raise_url(kind, target), {"question": " "}, headers=HTMX)
    assert response.status_code == 422
    assert b"govuk-error-message" in response.content
    assert b"<html" not in response.content
    assert not Challenge.objects.exists()


def test_a_missing_target_is_404(as_user, board_member, kind, target):
    response = as_user(board_member).post(
        reverse("board:challenge_create", args=[kind, target.pk + 1000]), {"question": "Q"}
    )
    assert response.status_code == 404


# --- Who may do what ----------------------------------------------------------------


def test_only_board_members_raise(as_user, officer, lead, kind, target):
    for user in (officer, lead):
        body = as_user(user).get(target.get_absolute_url()).content.decode()
        assert "Raise a challenge or question" not in body
        response = as_user(user).post(raise_url(kind, target), {"question": "Q"}, headers=HTMX)
        assert response.status_code == 403
    assert not Challenge.objects.exists()


def test_another_officer_and_other_members_get_403(
    as_user, board_member, second_member, officer, other_officer, target
):
    challenge = raised(target, board_member)
    answer = reverse("board:challenge_answer", args=[challenge.pk])
    for user in (other_officer, board_member, second_member):
        response = as_user(user).post(answer, {f"c{challenge.pk}-text": "x"}, headers=HTMX)
        assert response.status_code == 403, user
    assert not challenge.messages.exists()

    services.challenge_answer(user=officer, pk=challenge.pk, text="Done.")
    for name in ("board:challenge_accept", "board:challenge_press"):
        for user in (second_member, officer, other_officer):
            response = as_user(user).post(
                reverse(name, args=[challenge.pk]), {f"c{challenge.pk}-text": "x"}
            )
            assert response.status_code == 403, (name, user)
    challenge.refresh_from_db()
    assert challenge.state == Challenge.State.ANSWERED


def test_the_owner_still_answers_after_a_lead_passes_it_on(
    board_member, officer, other_officer, lead, target
):
    challenge = raised(target, board_member)
    services.challenge_reassign(user=lead, pk=challenge.pk, assignee=other_officer)
    challenge = Challenge.objects.for_list().get(pk=challenge.pk)
    assert permissions.can_answer_challenge(other_officer, challenge)
    assert permissions.can_answer_challenge(officer, challenge)  # still the owner
    assert permissions.can_answer_challenge(lead, challenge)
    assert not permissions.can_answer_challenge(board_member, challenge)


def test_an_owner_of_something_else_cannot_answer(board_member, other_officer, kind, target):
    if kind == "indicator":
        IndicatorFactory(owner=other_officer)
    else:
        RiskFactory(owner=other_officer)
    challenge = Challenge.objects.for_list().get(pk=raised(target, board_member).pk)
    assert not permissions.can_answer_challenge(other_officer, challenge)


# --- The section on the indicator and risk pages ------------------------------------


def test_the_section_renders_on_the_page(as_user, board_member, officer, kind, target):
    url = target.get_absolute_url()
    body = as_user(board_member).get(url).content.decode()
    assert "Challenges from the board" in body
    assert f"No open challenges about this {kind}." in body
    assert "Raise a challenge or question" in body
    assert f'hx-post="{raise_url(kind, target)}"' in body
    assert f"No board meeting has discussed this {kind} yet." in body

    raised(target, board_member, question="Is the target realistic?")
    for user in (board_member, officer):
        body = as_user(user).get(url).content.decode()
        assert "Is the target realistic?" in body
        assert f"No open challenges about this {kind}." not in body
    assert "Your answer" in as_user(officer).get(url).content.decode()


def test_seen_by_the_board_lists_items_decisions_and_challenges(
    as_user, board_member, lead, meeting, kind, target
):
    item = AgendaItemFactory(meeting=meeting, order=1, title="Workforce")
    getattr(item, f"{kind}s").add(target)
    other = AgendaItemFactory(meeting=meeting, order=2, title="Something else")
    DecisionFactory(meeting=meeting, order=1, text="Report monthly", **{kind: target})
    DecisionFactory(meeting=meeting, order=2, text="Unrelated decision")
    raised(target, board_member, question="Asked at the meeting", meeting=meeting)

    seen = selectors.seen_by_board(target)
    assert [e["meeting"] for e in seen] == [meeting]
    assert seen[0]["items"] == [item]
    assert [d.text for d in seen[0]["decisions"]] == ["Report monthly"]
    assert [c.question for c in seen[0]["challenges"]] == ["Asked at the meeting"]
    assert other not in seen[0]["items"]

    body = as_user(board_member).get(target.get_absolute_url()).content.decode()
    assert "Agenda item 1, Workforce" in body
    assert "Decision: Report monthly" in body
    assert "Unrelated decision" not in body

    meeting_page = as_user(lead).get(meeting.get_absolute_url()).content.decode()
    assert f'href="{target.get_absolute_url()}"' in meeting_page


def test_challenge_pages_and_lists_name_the_target(as_user, board_member, officer, kind, target):
    challenge = raised(target, board_member)
    body = as_user(board_member).get(challenge.get_absolute_url()).content.decode()
    assert f"Go to the {kind}</a>" in body
    assert f'href="{target.get_absolute_url()}"' in body
    assert challenge.target_label in body

    listing = as_user(board_member).get(reverse("board:challenge_list")).content.decode()
    assert challenge.target_short in listing
    assert f'href="{target.get_absolute_url()}"' in listing
    mine = as_user(officer).get(reverse("actions:my_actions")).content.decode()
    assert challenge.target_short in mine


def test_labels(board_member, kind, target):
    challenge = raised(target, board_member)
    if kind == "indicator":
        assert challenge.target_label == "indicator “Social worker vacancy rate”"
        assert challenge.target_short == "Indicator: Social worker vacancy rate"
    else:
        assert challenge.target_label == "risk R7 Caseloads stay too high"
        assert challenge.target_short == "Risk R7"


def test_the_board_pack_describes_the_target(board_member, kind, target):
    raised(target, board_member)
    today = timezone.localdate()
    pack = selectors.challenges_for_pack(today - dt.timedelta(days=1), today)
    about = pack["awaiting_answer"][0]["about"]
    assert about["kind"] == kind
    assert about["url"].endswith(target.get_absolute_url())
    if kind == "indicator":
        assert about["label"] == "Indicator: Social worker vacancy rate"
    else:
        assert (about["reference"], about["label"]) == ("R7", "Risk R7: Caseloads stay too high")


# --- Recording meetings -------------------------------------------------------------


def test_lead_records_an_agenda_item_and_a_decision_about_it(as_user, lead, meeting, kind, target):
    client = as_user(lead)
    response = client.post(
        reverse("board:agenda_item_create", args=[meeting.pk]),
        {"order": 1, "title": "Workforce", f"{kind}s": [target.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = AgendaItem.objects.get()
    assert list(getattr(item, f"{kind}s").all()) == [target]

    response = client.post(
        reverse("board:decision_create", args=[meeting.pk]),
        {"order": 1, "kind": "decision", "text": "Report monthly", kind: target.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert getattr(Decision.objects.get(), kind) == target

    page = client.get(meeting.get_absolute_url()).content.decode()
    assert page.count(f'href="{target.get_absolute_url()}"') == 2


def test_editing_an_agenda_item_keeps_its_subjects_when_unchanged(
    as_user, lead, meeting, kind, target
):
    item = AgendaItemFactory(meeting=meeting, order=1, title="Workforce")
    getattr(item, f"{kind}s").add(target)
    response = as_user(lead).get(reverse("board:agenda_item_update", args=[item.pk]))
    assert response.status_code == 200
    field = response.context["form"][f"{kind}s"]
    assert list(field.value()) == [target.pk]
