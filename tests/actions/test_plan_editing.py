"""Leads run the plan in the app: add actions (one, or several for an area), edit them,
cancel them, renumber them; add, rename, reorder and retire priorities. Officers keep
exactly their rights."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Role
from actions.models import Action, DueDateChange, Priority, ProgressUpdate, Status
from actions.services import (
    ActionChangedError,
    Change,
    NewAction,
    action_cancel,
    action_create,
    action_create_several,
    action_edit,
    action_record_progress,
    priority_create,
    priority_move,
    priority_renumber_actions,
    priority_retire,
    priority_update,
)
from audit.selectors import history_for
from tests.factories import (
    TODAY,
    ActionFactory,
    AreaForImprovementFactory,
    PriorityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def date_fields(name: str, value: dt.date) -> dict[str, str]:
    """A date as the GOV.UK date input posts it: day, month and year boxes."""
    return {
        f"{name}_0": str(value.day),
        f"{name}_1": str(value.month),
        f"{name}_2": str(value.year),
    }


def edit_data(action: Action, **changes) -> dict:
    data = {
        "version": action.version,
        "title": action.title,
        "description": action.description,
        "priority": action.priority_id,
        "owner": action.owner_id,
        "accountable": action.accountable_id,
        "areas": [a.pk for a in action.areas.all()],
        **date_fields("start_date", action.start_date),
        **date_fields("due_date", action.due_date),
        "due_date_reason": "",
    }
    for name, value in changes.items():
        if isinstance(value, dt.date):
            data.update(date_fields(name, value))
        else:
            data[name] = value
    return data


# --- Services -------------------------------------------------------------------------------


def test_a_new_action_gets_the_next_reference_in_its_priority(lead, officer):
    priority = PriorityFactory(number=2, title="Workforce")
    ActionFactory(reference="2.7", priority=priority)
    action = action_create(
        user=lead,
        title="Recruit four team managers",
        priority=priority,
        owner=officer,
        accountable=lead,
        start_date=TODAY,
        due_date=TODAY + dt.timedelta(days=90),
    )
    assert action.reference == "2.8"
    assert action.baseline_due_date == action.due_date
    assert action.status == Status.NOT_STARTED


def test_a_reference_in_use_is_refused(lead, officer):
    taken = ActionFactory(reference="1.4")
    with pytest.raises(ValidationError) as error:
        action_create(
            user=lead,
            reference="1.4",
            title="Another",
            priority=taken.priority,
            owner=officer,
            accountable=lead,
            start_date=TODAY,
            due_date=TODAY,
        )
    assert "already exists" in error.value.message_dict["reference"][0]


def test_officers_cannot_add_actions(officer):
    with pytest.raises(PermissionDenied):
        action_create(
            user=officer,
            title="Mine",
            priority=PriorityFactory(),
            owner=officer,
            accountable=officer,
            start_date=TODAY,
            due_date=TODAY,
        )


def test_several_actions_for_one_area_are_numbered_in_turn(lead, officer, other_officer):
    area = AreaForImprovementFactory()
    priority = PriorityFactory(number=3, title="Leadership")
    due = TODAY + dt.timedelta(days=60)
    created = action_create_several(
        user=lead,
        area=area,
        priority=priority,
        accountable=lead,
        start_date=TODAY,
        rows=[
            NewAction(title="Audit supervision", owner=officer, due_date=due),
            NewAction(title="Train managers", owner=other_officer, due_date=due),
            NewAction(title="Re-audit", owner=officer, due_date=due + dt.timedelta(days=30)),
        ],
    )
    assert [a.reference for a in created] == ["3.1", "3.2", "3.3"]
    assert all(list(a.areas.all()) == [area] for a in created)


def test_several_actions_are_all_or_none(lead, officer):
    area = AreaForImprovementFactory()
    with pytest.raises(ValidationError) as error:
        action_create_several(
            user=lead,
            area=area,
            priority=PriorityFactory(),
            accountable=lead,
            start_date=TODAY,
            rows=[
                NewAction(title="Fine", owner=officer, due_date=TODAY),
                NewAction(title="Before start", owner=officer, due_date=TODAY - dt.timedelta(1)),
            ],
        )
    assert "Action 2:" in " ".join(error.value.messages)
    assert not Action.objects.exists()


def test_a_lead_edits_every_field_and_a_new_due_date_needs_a_reason(lead, action):
    area = AreaForImprovementFactory()
    other_priority = PriorityFactory(number=4, title="Quality assurance")
    new_owner = UserFactory(role=Role.OFFICER)
    later = action.due_date + dt.timedelta(days=30)
    fields = {
        "title": "A sharper title",
        "description": "Now described",
        "priority": other_priority,
        "areas": [area],
        "owner": new_owner,
        "accountable": lead,
        "start_date": action.start_date + dt.timedelta(days=1),
        "due_date": later,
    }
    with pytest.raises(ValidationError) as error:
        action_edit(user=lead, pk=action.pk, expected_version=action.version, **fields)
    assert "due_date_reason" in error.value.message_dict

    edited = action_edit(
        user=lead,
        pk=action.pk,
        expected_version=action.version,
        due_date_reason="Waiting for the new case system",
        **fields,
    )
    assert (edited.title, edited.priority, edited.owner) == (
        "A sharper title",
        other_priority,
        new_owner,
    )
    assert list(edited.areas.all()) == [area]
    assert edited.baseline_due_date == action.baseline_due_date  # set once, never changes
    change = DueDateChange.objects.get(action=action)
    assert (change.new_date, change.reason) == (later, "Waiting for the new case system")
    assert not ProgressUpdate.objects.filter(action=action).exists()


def test_an_edit_on_a_stale_page_is_refused(lead, action):
    with pytest.raises(ActionChangedError):
        action_edit(
            user=lead,
            pk=action.pk,
            expected_version=action.version - 1,
            title="x",
            description="",
            priority=action.priority,
            areas=[],
            owner=action.owner,
            accountable=action.accountable,
            start_date=action.start_date,
            due_date=action.due_date,
        )


def test_the_start_date_cannot_pass_the_baseline_due_date(lead, action):
    with pytest.raises(ValidationError) as error:
        action_edit(
            user=lead,
            pk=action.pk,
            expected_version=action.version,
            title=action.title,
            description="",
            priority=action.priority,
            areas=[],
            owner=action.owner,
            accountable=action.accountable,
            start_date=action.baseline_due_date + dt.timedelta(days=1),
            due_date=action.due_date + dt.timedelta(days=5),
            due_date_reason="Later",
        )
    assert "start_date" in error.value.message_dict


def test_officers_cannot_edit_even_their_own_action(officer, action):
    with pytest.raises(PermissionDenied):
        action_edit(
            user=officer,
            pk=action.pk,
            expected_version=action.version,
            title="Mine now",
            description="",
            priority=action.priority,
            areas=[],
            owner=officer,
            accountable=officer,
            start_date=action.start_date,
            due_date=action.due_date,
        )


def test_cancelling_keeps_the_action_with_its_reason(lead, action):
    cancelled = action_cancel(
        user=lead, pk=action.pk, expected_version=action.version, reason="Merged into 1.2"
    )
    assert cancelled.status == Status.CANCELLED
    assert cancelled.cancellation_reason == "Merged into 1.2"
    update = ProgressUpdate.objects.get(action=action)
    assert update.note == "Cancelled: Merged into 1.2"
    assert update.status_after == Status.CANCELLED
    assert Action.objects.filter(pk=action.pk).exists()
    assert not Action.objects.open().filter(pk=action.pk).exists()


def test_cancelling_needs_a_reason(lead, action):
    with pytest.raises(ValidationError):
        action_cancel(user=lead, pk=action.pk, expected_version=action.version, reason="  ")


def test_renumbering_can_swap_references(lead):
    priority = PriorityFactory(number=1)
    first = ActionFactory(reference="1.1", priority=priority)
    second = ActionFactory(reference="1.2", priority=priority)
    changed = priority_renumber_actions(
        user=lead, pk=priority.pk, references={first.pk: "1.2", second.pk: "1.1"}
    )
    assert len(changed) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.reference, second.reference) == ("1.2", "1.1")


def test_renumbering_refuses_a_reference_another_priority_uses(lead):
    priority = PriorityFactory(number=1)
    mine = ActionFactory(reference="1.1", priority=priority)
    ActionFactory(reference="2.1", priority=PriorityFactory(number=2, title="Two"))
    with pytest.raises(ValidationError) as error:
        priority_renumber_actions(user=lead, pk=priority.pk, references={mine.pk: "2.1"})
    assert "another priority" in str(error.value)


def test_priorities_are_added_renamed_and_reordered_with_their_references(lead):
    one = priority_create(user=lead, title="Practice")
    two = priority_create(user=lead, title="Workforce")
    assert (one.number, two.number) == (1, 2)
    action = ActionFactory(reference="2.1", priority=two)
    priority_update(user=lead, pk=two.pk, title="Workforce and caseloads")
    moved, other = priority_move(user=lead, pk=two.pk, up=True)
    assert (moved.number, other.number) == (1, 2)
    action.refresh_from_db()
    assert action.reference == "1.1"
    assert Priority.objects.get(pk=two.pk).title == "Workforce and caseloads"


def test_a_priority_with_open_actions_cannot_be_retired(lead, action):
    with pytest.raises(ValidationError):
        priority_retire(user=lead, pk=action.priority_id)
    action_cancel(user=lead, pk=action.pk, expected_version=action.version, reason="Done")
    assert priority_retire(user=lead, pk=action.priority_id).retired
    with pytest.raises(ValidationError):  # new actions cannot choose it
        action_create(
            user=lead,
            title="New",
            priority=Priority.objects.get(pk=action.priority_id),
            owner=lead,
            accountable=lead,
            start_date=TODAY,
            due_date=TODAY,
        )


def test_a_due_date_change_on_its_own_adds_no_progress_update(officer, action):
    action_record_progress(
        user=officer,
        pk=action.pk,
        expected_version=action.version,
        change=Change(
            status=action.status,
            percent_complete=action.percent_complete,
            rag_override=action.rag_override,
            rag_override_reason=action.rag_override_reason,
            due_date=action.due_date + dt.timedelta(days=7),
            due_date_reason="Court date moved",
        ),
    )
    assert DueDateChange.objects.filter(action=action).count() == 1
    assert not ProgressUpdate.objects.filter(action=action).exists()


def test_history_reads_as_words(lead, action):
    area = AreaForImprovementFactory(short_title="Supervision")
    action_edit(
        user=lead,
        pk=action.pk,
        expected_version=action.version,
        title=action.title,
        description="",
        priority=action.priority,
        areas=[area],
        owner=action.owner,
        accountable=action.accountable,
        start_date=action.start_date,
        due_date=action.due_date,
    )
    action_cancel(user=lead, pk=action.pk, expected_version=action.version + 1, reason="Merged")
    lines = [c.text for e in history_for(action) for c in e.changes]
    headlines = [e.headline for e in history_for(action)]
    assert "Areas for improvement: added Supervision" in lines
    assert "Status: On track → Cancelled" in lines
    assert "Progress update added" in headlines
    text = " ".join(lines + headlines)
    for internal in ("relationship", "Rag after", "Status after", "areaforimprovement"):
        assert internal not in text


# --- Pages ----------------------------------------------------------------------------------


def test_an_area_page_offers_leads_to_create_an_action(as_user, lead, officer):
    area = AreaForImprovementFactory()
    url = reverse("inspections:area_detail", args=[area.pk])
    html = as_user(lead).get(url).content.decode()
    assert "No action in the plan answers this area" in html
    assert f"{reverse('actions:action_create')}?area={area.pk}" in html
    assert "Create an action" in html
    assert "Create an action" not in as_user(officer).get(url).content.decode()


def test_creating_from_an_area_has_the_area_chosen(as_user, lead, officer):
    area = AreaForImprovementFactory()
    priority = PriorityFactory()
    client = as_user(lead)
    page = client.get(reverse("actions:action_create") + f"?area={area.pk}")
    [box] = re.findall(r'<input type="checkbox" name="areas"[^>]*>', page.content.decode())
    assert f'value="{area.pk}"' in box and "checked" in box
    due = TODAY + dt.timedelta(days=45)
    response = client.post(
        reverse("actions:action_create") + f"?area={area.pk}",
        {
            "title": "Audit supervision records",
            "priority": priority.pk,
            "areas": [area.pk],
            "owner": officer.pk,
            "accountable": lead.pk,
            **date_fields("start_date", TODAY),
            **date_fields("due_date", due),
        },
    )
    action = Action.objects.get(title="Audit supervision records")
    assert response.status_code == 302
    assert action.due_date == due
    assert list(action.areas.all()) == [area]


def test_a_date_missing_its_month_gets_the_govuk_error(as_user, lead):
    response = as_user(lead).post(
        reverse("actions:action_create"),
        {"title": "x", "start_date_0": "4", "start_date_2": str(TODAY.year)},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Start date must include a month" in html
    assert 'href="#id_start_date_0"' in html


def test_add_several_adds_a_row_without_javascript_and_keeps_what_was_typed(as_user, lead):
    area = AreaForImprovementFactory()
    response = as_user(lead).post(
        reverse("actions:action_create_several") + f"?area={area.pk}",
        {"rows": "3", "area": area.pk, "row1-title": "Keep me", "add_row": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Action 4" in html
    assert 'value="Keep me"' in html


def test_add_several_creates_the_filled_rows(as_user, lead, officer):
    area = AreaForImprovementFactory()
    priority = PriorityFactory()
    due = TODAY + dt.timedelta(days=30)
    data = {
        "rows": "3",
        "area": area.pk,
        "priority": priority.pk,
        "accountable": lead.pk,
        **date_fields("start_date", TODAY),
    }
    for n, title in ((1, "First"), (2, "Second")):
        data |= {f"row{n}-title": title, f"row{n}-owner": officer.pk}
        data |= date_fields(f"row{n}-due_date", due)
    response = as_user(lead).post(reverse("actions:action_create_several"), data)
    assert response.status_code == 302
    assert sorted(Action.objects.values_list("title", flat=True)) == ["First", "Second"]


def test_a_half_filled_row_says_what_it_misses(as_user, lead):
    area = AreaForImprovementFactory()
    priority = PriorityFactory()
    response = as_user(lead).post(
        reverse("actions:action_create_several"),
        {
            "rows": "3",
            "area": area.pk,
            "priority": priority.pk,
            "accountable": lead.pk,
            **date_fields("start_date", TODAY),
            "row2-title": "Only a title",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose a lead officer for action 2" in html
    assert "Enter a due date for action 2" in html
    assert not Action.objects.exists()


def test_the_edit_page_saves_and_asks_for_a_reason(as_user, lead, action):
    client = as_user(lead)
    url = reverse("actions:action_edit", args=[action.pk])
    assert client.get(url).status_code == 200
    later = action.due_date + dt.timedelta(days=10)
    response = client.post(url, edit_data(action, due_date=later))
    assert response.status_code == 422
    assert "Give a reason for changing the due date" in response.content.decode()
    response = client.post(
        url, edit_data(action, title="Renamed", due_date=later, due_date_reason="Staff leave")
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.due_date) == ("Renamed", later)


def test_the_cancel_page_cancels_with_a_reason(as_user, lead, action):
    client = as_user(lead)
    url = reverse("actions:action_cancel", args=[action.pk])
    assert client.post(url, {"version": action.version}).status_code == 422
    response = client.post(url, {"version": action.version, "reason": "No longer needed"})
    assert response.status_code == 302
    page = client.get(action.get_absolute_url()).content.decode()
    assert "This action was cancelled. Reason: No longer needed" in page


def test_the_action_page_offers_leads_the_changes_and_officers_not(as_user, lead, officer, action):
    edit = reverse("actions:action_edit", args=[action.pk])
    assert edit in as_user(lead).get(action.get_absolute_url()).content.decode()
    assert edit not in as_user(officer).get(action.get_absolute_url()).content.decode()


def test_an_htmx_save_refreshes_due_date_changes_and_progress_out_of_band(as_user, officer, action):
    later = action.due_date + dt.timedelta(days=14)
    prefix = f"a{action.pk}-"
    response = as_user(officer).post(
        reverse("actions:action_update", args=[action.pk]),
        {
            prefix + "version": action.version,
            prefix + "status": Status.AT_RISK,
            prefix + "percent_complete": "40",
            **date_fields(prefix + "due_date", later),
            prefix + "due_date_reason": "Partner data late",
            prefix + "rag_override": "",
            prefix + "note": "Waiting for health data",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="update-panel"' in html
    assert 'id="due-date-changes" aria-labelledby="due-date-changes-heading" hx-swap-oob' in html
    assert "Partner data late" in html
    assert 'id="progress-updates-section"' in html
    assert "Waiting for health data" in html
    assert "The due date has not changed" not in html


def test_priority_pages(as_user, lead, action):
    client = as_user(lead)
    html = client.get(reverse("actions:priority_list")).content.decode()
    assert str(action.priority.title) in html
    response = client.post(reverse("actions:priority_create"), {"title": "Partnerships"})
    assert response.status_code == 302
    new = Priority.objects.get(title="Partnerships")
    client.post(reverse("actions:priority_move", args=[new.pk]), {"direction": "up"})
    new.refresh_from_db()
    assert new.number == action.priority.number
    action.refresh_from_db()
    number = action.priority.number
    assert number == new.number + 1  # moved down one
    renumber = reverse("actions:priority_renumber", args=[action.priority_id])
    page = client.get(renumber).content.decode()
    assert f'value="{number}.1"' in page  # proposed: <priority>.1, .2 … in order
    response = client.post(renumber, {f"ref_{action.pk}": f"{number}.5"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.reference == f"{number}.5"
    retire = reverse("actions:priority_retire", args=[action.priority_id])
    assert "still has 1 open action" in client.get(retire).content.decode()


# --- Officers ---------------------------------------------------------------------------


def test_my_actions_is_in_the_menu_and_hides_the_lead_officer_filter(as_user, officer, action):
    client = as_user(officer)
    html = client.get(reverse("actions:my_actions")).content.decode()
    assert (
        'aria-current="true"><strong class="govuk-service-navigation__active-fallback">My actions'
        in html
    )
    assert 'name="owner"' not in html
    assert 'name="owner"' in client.get(reverse("actions:action_list")).content.decode()


def test_board_members_have_no_my_actions(as_user, board_member):
    html = as_user(board_member).get(reverse("dashboard")).content.decode()
    assert reverse("actions:my_actions") not in html


def test_an_officer_lands_on_their_own_actions_after_signing_in(client, officer, lead):
    officer.set_password("pw-for-test-only")
    officer.save()
    response = client.post(
        reverse("accounts:login"), {"username": officer.username, "password": "pw-for-test-only"}
    )
    assert response["Location"] == reverse("actions:my_actions")


def test_a_board_member_still_lands_on_the_dashboard(client, board_member):
    board_member.set_password("pw-for-test-only")
    board_member.save()
    response = client.post(
        reverse("accounts:login"),
        {"username": board_member.username, "password": "pw-for-test-only"},
    )
    assert response["Location"] == reverse("dashboard")


def test_priorities_are_listed_in_their_order(as_user, lead):
    for number, title in ((3, "Third"), (1, "First"), (2, "Second")):
        PriorityFactory(number=number, title=title)
    ActionFactory(priority=Priority.objects.get(number=3))  # counts group the query
    html = as_user(lead).get(reverse("actions:priority_list")).content.decode()
    assert html.index("1. First") < html.index("2. Second") < html.index("3. Third")
