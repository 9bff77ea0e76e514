import pytest
from django.urls import reverse
from django.utils.html import escape

from actions.models import Status
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db


def update_data(action, **overrides):
    prefix = f"a{action.pk}-"
    data = {
        "version": action.version,
        "status": action.status,
        "percent_complete": action.percent_complete,
        "due_date": action.due_date.isoformat(),
        "rag_override": action.rag_override,
        "note": "",
    }
    data.update(overrides)
    return {prefix + k: v for k, v in data.items()}


@pytest.mark.parametrize("name", ["actions:action_list", "inspections:inspection_list"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_health_check_needs_no_sign_in(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_user_with_no_role_gets_403(as_user, db):
    from tests.factories import UserFactory

    response = as_user(UserFactory(username="nobody")).get(reverse("dashboard"))
    assert response.status_code == 403
    assert b"You do not have permission" in response.content


def test_board_member_sees_action_without_edit_controls(as_user, board_member, action):
    response = as_user(board_member).get(action.get_absolute_url())
    assert response.status_code == 200
    assert b"Update this action" not in response.content


def test_board_member_post_is_refused(as_user, board_member, action):
    url = reverse("actions:action_update", args=[action.pk])
    response = as_user(board_member).post(url, update_data(action, status=Status.AT_RISK))
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == Status.ON_TRACK


def test_officer_updates_own_action_without_javascript(as_user, officer, action):
    url = reverse("actions:action_update", args=[action.pk])
    response = as_user(officer).post(url, update_data(action, status=Status.AT_RISK, note="Hmm"))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Status.AT_RISK


def test_officer_updates_own_action_with_htmx_and_gets_the_panel(as_user, officer, action):
    url = reverse("actions:action_update", args=[action.pk])
    response = as_user(officer).post(
        url,
        update_data(action, percent_complete=45, note="Going well"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="update-panel">')
    assert "<html" not in body
    assert "45%" in body
    assert "HX-Request" in response["Vary"]


def test_htmx_validation_errors_render_inline(as_user, officer, action):
    url = reverse("actions:action_update", args=[action.pk])
    response = as_user(officer).post(
        url, update_data(action, status=Status.COMPLETE), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Give evidence that the action is complete" in body
    assert "govuk-form-group--error" in body


def test_stale_form_is_refused_with_409(as_user, officer, lead, action):
    url = reverse("actions:action_update", args=[action.pk])
    stale = update_data(action, status=Status.AT_RISK)
    as_user(lead).post(url, update_data(action, status=Status.OFF_TRACK, note="Lead"))
    response = as_user(officer).post(url, stale)
    assert response.status_code == 409
    assert b"Someone else updated this action" in response.content
    action.refresh_from_db()
    assert action.status == Status.OFF_TRACK


def test_officer_cannot_update_someone_elses_action(as_user, other_officer, action):
    url = reverse("actions:action_update", args=[action.pk])
    response = as_user(other_officer).post(url, update_data(action, status=Status.AT_RISK))
    assert response.status_code == 403


def test_my_actions_lists_only_mine(as_user, officer, action):
    ActionFactory(title="Someone else's work")
    response = as_user(officer).get(reverse("actions:my_actions"))
    assert action.title.encode() in response.content
    assert b"Someone else's work" not in response.content


def test_action_list_filters_by_status_from_the_url(as_user, board_member):
    ActionFactory(title="Risky one", status=Status.AT_RISK)
    ActionFactory(title="Fine one", status=Status.ON_TRACK)
    response = as_user(board_member).get(reverse("actions:action_list") + "?status=at_risk")
    assert b"Risky one" in response.content
    assert b"Fine one" not in response.content


def test_missing_action_gives_friendly_404(as_user, board_member):
    response = as_user(board_member).get(reverse("actions:action_detail", args=[999999]))
    assert response.status_code == 404
    assert b"Page not found" in response.content


def status_data(action, status):
    return {f"s{action.pk}-version": action.version, f"s{action.pk}-status": status}


def test_quick_status_change_from_a_list_row_with_htmx_returns_the_row(as_user, officer, action):
    url = reverse("actions:action_status", args=[action.pk])
    response = as_user(officer).post(
        url, status_data(action, Status.AT_RISK), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode().strip()
    assert body.startswith(f'<tr class="govuk-table__row" id="action-row-{action.pk}">')
    assert "Saved" in body
    action.refresh_from_db()
    assert action.status == Status.AT_RISK


def test_quick_status_change_without_javascript_redirects_back(as_user, officer, action):
    url = reverse("actions:action_status", args=[action.pk])
    data = status_data(action, Status.OFF_TRACK) | {"next": "/actions/?status=off_track"}
    response = as_user(officer).post(url, data)
    assert response.status_code == 302
    assert response["Location"] == "/actions/?status=off_track"


def test_quick_status_change_refuses_an_outside_next_url(as_user, officer, action):
    url = reverse("actions:action_status", args=[action.pk])
    data = status_data(action, Status.OFF_TRACK) | {"next": "https://evil.example/"}
    response = as_user(officer).post(url, data)
    assert response["Location"] == reverse("actions:action_list")


def test_quick_complete_without_evidence_shows_the_error_in_the_row(as_user, officer, action):
    url = reverse("actions:action_status", args=[action.pk])
    response = as_user(officer).post(
        url, status_data(action, Status.COMPLETE), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert "Give evidence that the action is complete" in response.content.decode()
    action.refresh_from_db()
    assert action.status == Status.ON_TRACK


def test_list_rows_have_status_controls_only_for_actions_i_can_edit(as_user, officer, action):
    ActionFactory(title="Not mine")
    body = as_user(officer).get(reverse("actions:action_list")).content.decode()
    assert body.count('name="next"') == 1
    assert f'id="status-{action.pk}"' in body


def test_board_member_sees_no_status_controls(as_user, board_member, action):
    body = as_user(board_member).get(reverse("actions:action_list")).content.decode()
    assert "app-row-form" not in body


def test_action_list_filters_by_area_and_owner(as_user, board_member, officer):
    from tests.factories import AreaForImprovementFactory

    area = AreaForImprovementFactory()
    ActionFactory(title="Linked one", owner=officer, areas=[area])
    ActionFactory(title="Unlinked one", owner=officer)
    ActionFactory(title="Someone else linked", areas=[area])
    url = reverse("actions:action_list") + f"?area={area.pk}&owner={officer.pk}"
    body = as_user(board_member).get(url).content.decode()
    assert "Linked one" in body
    assert "Unlinked one" not in body
    assert "Someone else linked" not in body


def test_admin_pages_open_for_an_administrator(as_user, administrator, action):
    client = as_user(administrator)
    for url in [
        reverse("admin:actions_action_changelist"),
        reverse("admin:actions_action_change", args=[action.pk]),
        reverse("admin:actions_progressupdate_changelist"),
        reverse("admin:inspections_inspection_changelist"),
        reverse("admin:inspections_areaforimprovement_changelist"),
        reverse("admin:accounts_user_changelist"),
    ]:
        assert client.get(url).status_code == 200, url


def test_action_list_links_to_exports_with_the_same_filters(as_user, board_member, action):
    body = as_user(board_member).get(reverse("actions:action_list") + "?status=on_track").content
    body = body.decode()
    assert '/import/export/actions/?format=csv&amp;status=on_track"' in body
    assert '/import/export/actions/?format=xlsx&amp;status=on_track"' in body


def test_action_page_shows_the_history_of_changes(as_user, officer, board_member, action):
    url = reverse("actions:action_update", args=[action.pk])
    as_user(officer).post(url, update_data(action, status=Status.AT_RISK, note="Slipping"))
    body = as_user(board_member).get(action.get_absolute_url()).content.decode()
    assert "History of changes" in body
    assert "On track → At risk" in body or "on_track → at_risk" in body
    assert escape(officer.display_name) in body
