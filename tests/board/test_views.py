import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from actions.models import Action, Status
from board import services
from board.models import AgendaItem, Challenge, Decision, Meeting
from tests.factories import TODAY, AgendaItemFactory, DecisionFactory, PriorityFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def raise_url(target, kind="action"):
    return reverse("board:challenge_create", args=[kind, target.pk])


def raised(action, member, question="Why is this still amber?"):
    return services.challenge_raise(user=member, target=action, question=question)


def answered(action, member, officer):
    challenge = raised(action, member)
    return services.challenge_answer(user=officer, pk=challenge.pk, text="Because of X.")


# --- Access -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["board:meeting_list", "board:challenge_list", "board:challenge_pack"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_everyone_signed_in_reads_the_board_pages(
    as_user, board_member, officer, lead, meeting, action
):
    challenge = raised(action, board_member)
    urls = [
        reverse("board:meeting_list"),
        meeting.get_absolute_url(),
        reverse("board:challenge_list"),
        challenge.get_absolute_url(),
        reverse("board:challenge_pack"),
    ]
    for user in (board_member, officer, lead):
        client = as_user(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user, url)


@pytest.mark.parametrize("who", ["board_member", "officer"])
def test_only_leads_reach_the_meeting_forms(request, as_user, who, lead, meeting):
    decision = DecisionFactory(meeting=meeting, order=1, text="Agreed")
    item = AgendaItemFactory(meeting=meeting, order=1, title="Item")
    gets = [
        reverse("board:meeting_create"),
        reverse("board:meeting_update", args=[meeting.pk]),
        reverse("board:agenda_item_create", args=[meeting.pk]),
        reverse("board:agenda_item_update", args=[item.pk]),
        reverse("board:decision_create", args=[meeting.pk]),
        reverse("board:decision_update", args=[decision.pk]),
        reverse("board:decision_make_action", args=[decision.pk]),
    ]
    posts = [
        *gets,
        reverse("board:agenda_item_delete", args=[item.pk]),
        reverse("board:decision_delete", args=[decision.pk]),
    ]
    client = as_user(request.getfixturevalue(who))
    for url in gets:
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"You do not have permission" in response.content
    for url in posts:
        assert client.post(url, {"title": "x", "date": "2025-01-01"}).status_code == 403, url
    lead_client = as_user(lead)
    for url in gets:
        assert lead_client.get(url).status_code == 200, url
    assert AgendaItem.objects.filter(pk=item.pk).exists()
    assert Decision.objects.filter(pk=decision.pk).exists()


def test_board_member_sees_the_raise_form_officers_and_leads_do_not(
    as_user, board_member, officer, lead, action
):
    assert (
        b"Raise a challenge or question"
        in as_user(board_member).get(action.get_absolute_url()).content
    )
    for user in (officer, lead):
        body = as_user(user).get(action.get_absolute_url()).content
        assert b"Raise a challenge or question" not in body
        assert as_user(user).post(raise_url(action), {"question": "Q"}).status_code == 403
    assert not Challenge.objects.exists()


def test_board_member_still_cannot_change_the_plan(as_user, board_member, action, meeting):
    client = as_user(board_member)
    response = client.post(
        reverse("actions:action_status", args=[action.pk]),
        {f"s{action.pk}-version": action.version, f"s{action.pk}-status": Status.AT_RISK},
    )
    assert response.status_code == 403
    decision = DecisionFactory(meeting=meeting, order=1, text="Agreed")
    response = client.post(
        reverse("board:decision_make_action", args=[decision.pk]), {"reference": "8.1"}
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == Status.ON_TRACK
    assert Action.objects.count() == 1


# --- Raising a challenge ------------------------------------------------------------


def test_member_raises_a_challenge_with_htmx_and_gets_the_panel(
    as_user, board_member, officer, action
):
    response = as_user(board_member).post(
        raise_url(action), {"question": "Why is this still amber?"}, headers=HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="board-challenges">')
    assert "<html" not in body
    assert f"Your challenge has been sent to {escape(officer.display_name)}." in body
    assert "Why is this still amber?" in body
    challenge = Challenge.objects.get()
    assert (challenge.action, challenge.raised_by, challenge.assigned_to) == (
        action,
        board_member,
        officer,
    )
    assert response["Vary"].count("HX-Request") == 1


def test_member_raises_a_challenge_without_javascript(as_user, board_member, officer, action):
    client = as_user(board_member)
    response = client.post(raise_url(action), {"question": "Q?", "next": action.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == action.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert f"Your challenge has been sent to {escape(officer.display_name)}." in page
    assert Challenge.objects.count() == 1


def test_raising_an_empty_challenge_shows_the_error_in_place(as_user, board_member, action):
    response = as_user(board_member).post(raise_url(action), {"question": ""}, headers=HTMX)
    assert response.status_code == 422
    body = response.content.decode()
    assert "There is a problem" in body
    assert "govuk-error-message" in body
    no_js = as_user(board_member).post(raise_url(action), {"question": ""})
    assert no_js.status_code == 422
    assert b"<html" in no_js.content
    assert not Challenge.objects.exists()


def test_next_cannot_send_people_off_site(as_user, board_member, action):
    response = as_user(board_member).post(
        raise_url(action), {"question": "Q?", "next": "https://evil.example/"}
    )
    assert response["Location"] == action.get_absolute_url()


def test_member_raises_a_challenge_about_an_area(as_user, board_member, area, area_action, officer):
    response = as_user(board_member).post(
        raise_url(area, "area"), {"question": "Is this improving?"}, headers=HTMX
    )
    assert response.status_code == 200
    assert Challenge.objects.get().area == area
    body = as_user(officer).get(area.get_absolute_url()).content.decode()
    assert "Is this improving?" in body
    assert "Your answer" in body


def test_unknown_target_kind_is_404(as_user, board_member, action):
    response = as_user(board_member).post(
        reverse("board:challenge_create", args=["priority", action.pk]), {"question": "Q"}
    )
    assert response.status_code == 404


def test_challenge_can_be_raised_at_a_recent_meeting(as_user, board_member, action, meeting):
    as_user(board_member).post(raise_url(action), {"question": "Q", "meeting": meeting.pk})
    assert Challenge.objects.get().meeting == meeting


# --- Answering, accepting, pressing -------------------------------------------------


def test_officer_answers_with_htmx_and_gets_the_card(as_user, board_member, officer, action):
    challenge = raised(action, board_member)
    url = reverse("board:challenge_answer", args=[challenge.pk])
    response = as_user(officer).post(
        url, {f"c{challenge.pk}-text": "Partner data is late."}, headers=HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(
        f'<div class="govuk-summary-card app-challenge" id="challenge-{challenge.pk}">'
    )
    assert "Partner data is late." in body
    assert f"Your answer has been sent to {escape(board_member.display_name)}." in body
    assert "Your answer</label>" not in body  # no second answer form
    challenge.refresh_from_db()
    assert challenge.state == Challenge.State.ANSWERED


def test_officer_answers_without_javascript_and_returns_to_the_page(
    as_user, board_member, officer, action
):
    challenge = raised(action, board_member)
    response = as_user(officer).post(
        reverse("board:challenge_answer", args=[challenge.pk]),
        {f"c{challenge.pk}-text": "Answered.", "next": action.get_absolute_url()},
    )
    assert response.status_code == 302
    assert response["Location"] == action.get_absolute_url()
    assert Challenge.objects.get().state == Challenge.State.ANSWERED


def test_empty_answer_is_refused_with_a_message(as_user, board_member, officer, action):
    challenge = raised(action, board_member)
    url = reverse("board:challenge_answer", args=[challenge.pk])
    response = as_user(officer).post(url, {f"c{challenge.pk}-text": ""}, headers=HTMX)
    assert response.status_code == 422
    assert b"govuk-error-message" in response.content
    assert b"<html" not in response.content
    response = as_user(officer).post(url, {f"c{challenge.pk}-text": ""})
    assert response.status_code == 422
    assert b"<html" in response.content
    assert Challenge.objects.get().state == Challenge.State.OPEN


def test_another_officer_and_board_members_get_403_when_answering(
    as_user, board_member, second_member, other_officer, action
):
    challenge = raised(action, board_member)
    url = reverse("board:challenge_answer", args=[challenge.pk])
    for user in (other_officer, board_member, second_member):
        response = as_user(user).post(url, {f"c{challenge.pk}-text": "x"}, headers=HTMX)
        assert response.status_code == 403
    assert not challenge.messages.exists()
    body = as_user(other_officer).get(action.get_absolute_url()).content.decode()
    assert "Why is this still amber?" in body
    assert "Your answer" not in body


def test_member_accepts_the_answer_with_htmx(as_user, board_member, officer, action):
    challenge = answered(action, board_member, officer)
    response = as_user(board_member).post(
        reverse("board:challenge_accept", args=[challenge.pk]),
        {f"c{challenge.pk}-text": "Thank you."},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert b"The challenge is closed" in response.content
    assert b"Answer accepted" in response.content
    challenge.refresh_from_db()
    assert (challenge.state, challenge.outcome) == (Challenge.State.ACCEPTED, "Thank you.")


def test_member_presses_further_without_javascript(as_user, board_member, officer, action):
    challenge = answered(action, board_member, officer)
    response = as_user(board_member).post(
        reverse("board:challenge_press", args=[challenge.pk]),
        {f"c{challenge.pk}-text": "Not enough.", "next": challenge.get_absolute_url()},
    )
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.state == Challenge.State.PRESSED
    # Back with the officer: it shows on their "My actions" page again.
    body = as_user(officer).get(reverse("actions:my_actions")).content.decode()
    assert "waiting for your answer" in body
    assert "Pressed further" in body


def test_pressing_further_needs_a_reason(as_user, board_member, officer, action):
    challenge = answered(action, board_member, officer)
    response = as_user(board_member).post(
        reverse("board:challenge_press", args=[challenge.pk]),
        {f"c{challenge.pk}-text": ""},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert b"Say what is still missing" in response.content
    assert Challenge.objects.get().state == Challenge.State.ANSWERED


def test_another_member_cannot_accept_or_press(
    as_user, board_member, second_member, officer, action
):
    challenge = answered(action, board_member, officer)
    for name in ("board:challenge_accept", "board:challenge_press"):
        response = as_user(second_member).post(
            reverse(name, args=[challenge.pk]), {f"c{challenge.pk}-text": "x"}
        )
        assert response.status_code == 403
    assert Challenge.objects.get().state == Challenge.State.ANSWERED


def test_get_on_reply_urls_is_not_allowed(as_user, officer, board_member, action):
    challenge = raised(action, board_member)
    response = as_user(officer).get(reverse("board:challenge_answer", args=[challenge.pk]))
    assert response.status_code == 405


def test_lead_passes_a_challenge_on_from_its_page(
    as_user, board_member, officer, other_officer, lead, action
):
    challenge = raised(action, board_member)
    page = as_user(lead).get(challenge.get_absolute_url()).content.decode()
    assert "Pass this challenge on" in page
    response = as_user(lead).post(
        reverse("board:challenge_reassign", args=[challenge.pk]),
        {f"r{challenge.pk}-assignee": other_officer.pk},
    )
    assert response.status_code == 302
    assert Challenge.objects.get().assigned_to == other_officer
    assert (
        as_user(officer)
        .post(
            reverse("board:challenge_reassign", args=[challenge.pk]),
            {f"r{challenge.pk}-assignee": officer.pk},
        )
        .status_code
        == 403
    )


# --- Where open challenges show -----------------------------------------------------


def test_my_actions_lists_challenges_waiting_for_my_answer(
    as_user, board_member, officer, other_officer, action
):
    raised(action, board_member, question="What is the plan B?")
    assert (
        "What is the plan B?"
        in as_user(officer).get(reverse("actions:my_actions")).content.decode()
    )
    assert (
        "What is the plan B?"
        not in as_user(other_officer).get(reverse("actions:my_actions")).content.decode()
    )
    # The whole-plan list does not carry the section.
    assert (
        "What is the plan B?"
        not in as_user(officer).get(reverse("actions:action_list")).content.decode()
    )


def test_my_actions_shows_a_member_the_answers_waiting_for_them(
    as_user, board_member, officer, action
):
    answered(action, board_member, officer)
    body = as_user(board_member).get(reverse("actions:my_actions")).content.decode()
    assert "Answers to your challenges, waiting for you" in body


def test_dashboard_shows_open_challenges_for_the_board(as_user, board_member, officer, action):
    challenge = raised(action, board_member, question="Where is the evidence?")
    body = as_user(board_member).get(reverse("dashboard")).content.decode()
    assert "Challenges from the board" in body
    assert "Where is the evidence?" in body
    services.challenge_answer(user=officer, pk=challenge.pk, text="Here")
    services.challenge_accept(user=board_member, pk=challenge.pk)
    body = as_user(board_member).get(reverse("dashboard")).content.decode()
    assert "Where is the evidence?" not in body
    assert "No challenges are open." in body


def test_challenge_list_filters_by_state_and_mine(
    as_user, board_member, second_member, officer, action
):
    raised(action, board_member, question="Mine open")
    answered(action, second_member, officer)
    client = as_user(board_member)
    body = client.get(reverse("board:challenge_list") + "?show=awaiting_answer").content.decode()
    assert "Mine open" in body and "Why is this still amber?" not in body
    body = client.get(reverse("board:challenge_list") + "?show=open&mine=1").content.decode()
    assert "1 challenge<" in body
    body = client.get(reverse("board:challenge_list") + "?show=nonsense").content.decode()
    assert "2 challenges" in body
    body = client.get(reverse("board:challenge_list") + "?show=overdue").content.decode()
    assert "0 challenges" in body
    Challenge.objects.filter(question="Mine open").update(answer_due=dt.date(2020, 1, 1))
    body = client.get(reverse("board:challenge_list") + "?show=overdue").content.decode()
    assert "1 challenge<" in body and "Mine open" in body


# --- Meetings -----------------------------------------------------------------------


def meeting_data(**overrides):
    data = {
        "date": "2025-03-11",
        "title": "Improvement Board",
        "location": "Gun Wharf",
        "board_pack_reference": "Board pack, March 2025",
        "other_attendees": "Detective Superintendent, Kent Police",
        "other_apologies": "",
        "minutes": "The board met.",
    }
    return data | overrides


def test_lead_records_a_meeting_with_attendance(as_user, lead, board_member, second_member):
    response = as_user(lead).post(
        reverse("board:meeting_create"),
        meeting_data(attendees=[board_member.pk, lead.pk], apologies=[second_member.pk]),
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.date == dt.date(2025, 3, 11)
    page = as_user(board_member).get(meeting.get_absolute_url()).content.decode()
    assert "Detective Superintendent, Kent Police" in page
    assert escape(second_member.display_name) in page
    assert "Board pack, March 2025" in page


def test_attending_and_apologising_at_once_is_an_error_on_the_form(as_user, lead, board_member):
    response = as_user(lead).post(
        reverse("board:meeting_create"),
        meeting_data(attendees=[board_member.pk], apologies=[board_member.pk]),
    )
    assert response.status_code == 422
    assert "cannot both attend and send apologies" in response.content.decode()
    assert not Meeting.objects.exists()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("minutes.pdf", b"%PDF-1.7\n%minutes"),
        ("minutes.docx", docx_bytes()),
        ("minutes.txt", "Minutes: the board met. Café.".encode()),
    ],
)
def test_minutes_file_is_stored_and_served_only_to_signed_in_people(
    as_user, client, lead, board_member, media_root, name, content
):
    upload = SimpleUploadedFile(name, content)
    response = as_user(lead).post(
        reverse("board:meeting_create"), meeting_data(minutes_file=upload)
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    meeting = Meeting.objects.get()
    assert meeting.minutes_filename == name
    assert name not in meeting.minutes_file.name  # stored under a random name
    url = reverse("board:meeting_minutes", args=[meeting.pk])
    download = as_user(board_member).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert name in download["Content-Disposition"]
    assert client.get(url).status_code == 302  # anonymous: to sign in


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("minutes.exe", b"MZ...", "must be a PDF"),
        ("minutes.pdf", b"<html>not a pdf</html>", "not a PDF document"),
        ("minutes.docx", b"%PDF-1.4 pretending", "not a DOCX document"),
        ("minutes.txt", b"\x00\x01binary", "not a TXT document"),
        ("minutes.pdf", b"", "empty"),
    ],
)
def test_bad_minutes_files_are_refused_clearly_and_nothing_is_lost(
    as_user, lead, media_root, name, content, message
):
    upload = SimpleUploadedFile(name, content)
    response = as_user(lead).post(
        reverse("board:meeting_create"), meeting_data(minutes_file=upload)
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert "The board met." in body  # the typed minutes are still in the form
    assert not Meeting.objects.exists()


def test_oversized_minutes_file_is_refused(as_user, lead, media_root, settings):
    big = b"%PDF-" + b"0" * (settings.BOARD_MINUTES_MAX_BYTES + 1)
    response = as_user(lead).post(
        reverse("board:meeting_create"),
        meeting_data(minutes_file=SimpleUploadedFile("big.pdf", big)),
    )
    assert response.status_code == 422
    assert "10 MB or smaller" in response.content.decode()


def test_lead_replaces_then_removes_the_minutes_file(
    as_user, lead, media_root, django_capture_on_commit_callbacks
):
    client = as_user(lead)
    client.post(
        reverse("board:meeting_create"),
        meeting_data(minutes_file=SimpleUploadedFile("m.pdf", b"%PDF-1.4")),
    )
    meeting = Meeting.objects.get()
    first = media_root / meeting.minutes_file.name
    assert first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("board:meeting_update", args=[meeting.pk]),
            meeting_data(minutes_file=SimpleUploadedFile("v2.pdf", b"%PDF-1.5")),
        )
    meeting.refresh_from_db()
    assert meeting.minutes_filename == "v2.pdf"
    assert not first.exists()  # the replaced document is gone
    second = media_root / meeting.minutes_file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("board:meeting_update", args=[meeting.pk]),
            meeting_data(remove_minutes_file="on"),
        )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert not meeting.minutes_file
    assert meeting.minutes_filename == ""
    assert not second.exists()
    assert client.get(reverse("board:meeting_minutes", args=[meeting.pk])).status_code == 404


def test_lead_adds_an_agenda_item_about_actions_and_areas(as_user, lead, meeting, action, area):
    response = as_user(lead).post(
        reverse("board:agenda_item_create", args=[meeting.pk]),
        {
            "order": 1,
            "title": "Workforce",
            "presenter": "Grace Okafor",
            "action_references": action.reference,
            "areas": [area.pk],
            "notes": "The board asked for conversion figures.",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    item = AgendaItem.objects.get()
    assert list(item.actions.all()) == [action]
    assert list(item.areas.all()) == [area]


def test_unknown_action_reference_on_an_agenda_item_is_named(as_user, lead, meeting):
    response = as_user(lead).post(
        reverse("board:agenda_item_create", args=[meeting.pk]),
        {"order": 1, "title": "Workforce", "action_references": "7.77, 8.88"},
    )
    assert response.status_code == 422
    assert "There is no action with reference 7.77, 8.88." in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_duplicate_agenda_item_number_is_refused(as_user, lead, meeting):
    AgendaItemFactory(meeting=meeting, order=1, title="First")
    response = as_user(lead).post(
        reverse("board:agenda_item_create", args=[meeting.pk]), {"order": 1, "title": "Second"}
    )
    assert response.status_code == 422
    assert "already has an item with this number" in response.content.decode()


def test_lead_records_a_decision_about_an_action(as_user, lead, meeting, action, officer):
    response = as_user(lead).post(
        reverse("board:decision_create", args=[meeting.pk]),
        {
            "order": 1,
            "kind": "commitment",
            "text": "Report conversion rates by team.",
            "action_reference": action.reference,
            "owner": officer.pk,
            "due_date": "2025-05-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    decision = Decision.objects.get()
    assert (decision.action, decision.owner, decision.kind) == (action, officer, "commitment")


# --- Decision → action --------------------------------------------------------------


def test_make_this_an_action_is_prefilled_and_creates_a_linked_action(
    as_user, lead, officer, meeting, action
):
    decision = DecisionFactory(
        meeting=meeting,
        order=1,
        kind="commitment",
        text="Run a practice week on neglect",
        action=action,
        owner=officer,
    )
    client = as_user(lead)
    meeting_page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Make this an action" in meeting_page
    form_page = client.get(reverse("board:decision_make_action", args=[decision.pk]))
    form = form_page.context["form"]
    assert form.initial["title"] == "Run a practice week on neglect"
    assert form.initial["owner"] == officer
    assert form.initial["priority"] == action.priority
    assert form.initial["reference"] == f"{action.priority.number}.1"

    data = {
        "reference": "9.900",
        "title": "Run a practice week on neglect",
        "priority": action.priority.pk,
        "owner": officer.pk,
        "accountable": lead.pk,
        "start_date": "2026-01-05",
        "due_date": "2026-03-31",
        "description": "From the board",
    }
    response = client.post(reverse("board:decision_make_action", args=[decision.pk]), data)
    new = Action.objects.get(reference="9.900")
    assert response.status_code == 302
    assert response["Location"] == new.get_absolute_url()
    decision.refresh_from_db()
    assert decision.resulting_action == new
    action_page = client.get(new.get_absolute_url()).content.decode()
    assert "The board's commitment that became this action" in action_page
    # Once made, the button goes and a second attempt is turned away.
    assert "Make this an action" not in client.get(meeting.get_absolute_url()).content.decode()
    again = client.post(reverse("board:decision_make_action", args=[decision.pk]), data)
    assert again.status_code == 302
    assert Action.objects.filter(reference="9.900").count() == 1


def test_make_this_an_action_reports_a_taken_reference(as_user, lead, officer, meeting, action):
    decision = DecisionFactory(meeting=meeting, order=1, text="Do it")
    response = as_user(lead).post(
        reverse("board:decision_make_action", args=[decision.pk]),
        {
            "reference": action.reference,
            "title": "Do it",
            "priority": PriorityFactory().pk,
            "owner": officer.pk,
            "accountable": lead.pk,
            "start_date": "2026-01-05",
            "due_date": "2026-03-31",
        },
    )
    assert response.status_code == 422
    assert "already exists" in response.content.decode()
    decision.refresh_from_db()
    assert decision.resulting_action is None


# --- Seen by the board --------------------------------------------------------------


def test_action_page_shows_the_meetings_that_discussed_it(as_user, board_member, meeting, action):
    item = AgendaItemFactory(
        meeting=meeting, order=2, title="Workforce", notes="Asked for figures."
    )
    item.actions.add(action)
    DecisionFactory(meeting=meeting, order=1, text="Re-profile it", action=action)
    body = as_user(board_member).get(action.get_absolute_url()).content.decode()
    seen = body[body.index("Seen by the board") :]
    assert f"{meeting.date:%-d %B %Y}" in seen
    assert "Agenda item 2, Workforce: Asked for figures." in seen
    assert "Decision: Re-profile it" in seen


def test_area_page_shows_what_was_said_about_its_actions(
    as_user, board_member, meeting, area, area_action
):
    item = AgendaItemFactory(meeting=meeting, order=1, title="Practice", notes="Noted.")
    item.actions.add(area_action)
    body = as_user(board_member).get(area.get_absolute_url()).content.decode()
    seen = body[body.index("Seen by the board") :]
    assert f"(about action {area_action.reference})" in seen


def test_pack_page_renders_the_print_section(as_user, board_member, officer, action):
    raised(action, board_member, question="Pack question?")
    years_ago = (TODAY - dt.timedelta(days=5 * 365)).isoformat()
    next_year = (TODAY + dt.timedelta(days=365)).isoformat()
    body = (
        as_user(board_member)
        .get(reverse("board:challenge_pack"), {"since": years_ago, "until": next_year})
        .content.decode()
    )
    assert "Challenges to officers" in body
    assert "Pack question?" in body
    swapped = as_user(board_member).get(
        reverse("board:challenge_pack"), {"since": next_year, "until": years_ago}
    )
    assert b"have been swapped" in swapped.content
    bad = as_user(board_member).get(reverse("board:challenge_pack") + "?since=2025-02-31")
    assert bad.status_code == 200


@pytest.mark.django_db
def test_the_challenge_pack_for_an_impossible_period_shows_the_default_one(as_user, lead):
    response = as_user(lead).get(
        reverse("board:challenge_pack"), {"since": "0001-01-01", "until": "9999-12-31"}
    )
    assert response.status_code == 200
    assert b"Enter a date between 1 January 2000 and 31 December 2099" in response.content
    assert b"The period shown is the default one." in response.content


def test_the_boards_panels_are_registered_for_pages_that_exist():
    """The board adds its panels to other apps' pages by URL name (board/panels.py): a
    renamed page would lose its panel without this."""
    from django.urls import NoReverseMatch

    from board.panels import TARGET_PAGES
    from core import panels

    for page in (*TARGET_PAGES, "actions:my_actions"):
        assert panels._sources[page], page
        try:
            reverse(page, args=[1])
        except NoReverseMatch:
            reverse(page)


def test_the_dashboard_section_tag_renders_what_the_view_read(
    as_user, board_member, action, django_assert_num_queries
):
    from django.template import Context, Template
    from django.test import RequestFactory

    from board.selectors import board_dashboard

    services.challenge_raise(user=board_member, target=action, question="Why so late?")
    board = board_dashboard()
    request = RequestFactory().get("/")
    request.user = board_member
    page = Template("{% load board %}{% board_dashboard_section board %}")

    with django_assert_num_queries(0):
        html = page.render(Context({"board": board, "request": request}))

    assert "Challenges from the board" in html
    assert "Why so late?" in html
