import pytest
from django.urls import reverse

from boardpacks.models import BoardPack
from tests.factories import TODAY, BoardPackFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "status-panel"}


@pytest.fixture
def ready_pack(media_root):
    return BoardPackFactory(ready=True)


def urls(pack):
    return {
        "list": reverse("boardpacks:boardpack_list"),
        "detail": reverse("boardpacks:boardpack_detail", args=[pack.pk]),
        "preview": reverse("boardpacks:boardpack_preview", args=[pack.pk]),
        "download": reverse("boardpacks:boardpack_download", args=[pack.pk]),
    }


def test_anonymous_visitors_are_sent_to_sign_in(client, ready_pack):
    for url in urls(ready_pack).values():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_people_without_a_role_get_403(as_user, ready_pack):
    nobody = as_user(UserFactory(username="nobody"))
    for url in urls(ready_pack).values():
        assert nobody.get(url).status_code == 403, url


def test_board_member_lists_and_downloads_but_cannot_generate(as_user, board_member, ready_pack):
    client = as_user(board_member)
    page = client.get(urls(ready_pack)["list"])
    assert page.status_code == 200
    assert b"Generate now" not in page.content
    assert f"{ready_pack.month:%B %Y}, version".encode() in page.content

    download = client.get(urls(ready_pack)["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == b"%PDF-1.7 test"

    create = reverse("boardpacks:boardpack_create")
    assert client.post(create, {"month": f"{TODAY:%Y-%m}"}).status_code == 403
    send = reverse("boardpacks:boardpack_send", args=[ready_pack.pk])
    assert client.post(send).status_code == 403


def test_the_pdf_is_not_served_from_media(ready_pack):
    from django.urls import Resolver404, resolve

    for url in (f"/{ready_pack.pdf.name}", f"/media/{ready_pack.pdf.name}"):
        with pytest.raises(Resolver404):
            resolve(url)


def test_lead_generates_a_pack_and_is_taken_to_it(as_user, lead, monkeypatch):
    from boardpacks import services

    monkeypatch.setattr(services, "_enqueue_render", lambda *args: None)
    client = as_user(lead)
    assert b"Generate now" in client.get(reverse("boardpacks:boardpack_list")).content
    response = client.post(
        reverse("boardpacks:boardpack_create"),
        {"month": f"{TODAY:%Y-%m}", "meeting_date": "", "send_to_board": "on"},
    )
    pack = BoardPack.objects.get()
    assert response.status_code == 302 and response["Location"] == pack.get_absolute_url()
    assert (pack.month.isoformat(), pack.send_to_board, pack.requested_by) == (
        TODAY.replace(day=1).isoformat(),
        True,
        lead,
    )


def test_bad_month_is_refused_with_a_message(as_user, lead):
    response = as_user(lead).post(reverse("boardpacks:boardpack_create"), {"month": "1999-01"})
    assert response.status_code == 422
    assert b"There is a problem" in response.content
    assert not BoardPack.objects.exists()


def test_status_panel_polls_while_rendering(as_user, board_member):
    pack = BoardPackFactory(status=BoardPack.Status.RENDERING)
    client = as_user(board_member)
    page = client.get(pack.get_absolute_url())
    assert b'hx-trigger="every 2s"' in page.content
    assert b"<h1" in page.content

    panel = client.get(pack.get_absolute_url(), **HTMX)
    assert panel.status_code == 200
    assert b"<h1" not in panel.content  # the partial alone
    assert panel.content.strip().startswith(b'<div id="status-panel"')
    assert b'hx-trigger="every 2s"' in panel.content
    assert b"Rendering" in panel.content


def test_status_panel_stops_polling_when_ready(as_user, board_member, ready_pack):
    panel = as_user(board_member).get(ready_pack.get_absolute_url(), **HTMX)
    assert b"hx-trigger" not in panel.content
    assert b"Download the PDF" in panel.content
    assert b"Email it to" not in panel.content  # board members cannot send


def test_failed_pack_shows_its_reason_and_leads_can_retry(
    as_user, lead, monkeypatch, django_capture_on_commit_callbacks
):
    from boardpacks import services

    queued = []
    monkeypatch.setattr(services, "_enqueue_render", lambda pk, as_of=None: queued.append(pk))
    pack = BoardPackFactory(status=BoardPack.Status.FAILED, error="ValueError: broken template")
    client = as_user(lead)
    page = client.get(pack.get_absolute_url())
    assert b"ValueError: broken template" in page.content
    assert b"hx-trigger" not in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("boardpacks:boardpack_retry", args=[pack.pk]))
    assert response.status_code == 302
    assert queued == [pack.pk]
    pack.refresh_from_db()
    assert (pack.status, pack.error) == (BoardPack.Status.QUEUED, "")
    assert b'hx-trigger="every 2s"' in client.get(pack.get_absolute_url()).content
    # Only a failed pack can be retried.
    response = client.post(reverse("boardpacks:boardpack_retry", args=[pack.pk]), follow=True)
    assert b"Only a failed pack can be tried again." in response.content


def test_lead_sends_a_ready_pack_to_the_board(as_user, lead, board_member, ready_pack, monkeypatch):
    from boardpacks import services

    monkeypatch.setattr(services, "_enqueue_deliveries", lambda ids: None)
    client = as_user(lead)
    assert b"Email it to 1 board member" in client.get(ready_pack.get_absolute_url()).content
    response = client.post(reverse("boardpacks:boardpack_send", args=[ready_pack.pk]), follow=True)
    assert b"Sending the pack to 1 board member." in response.content
    assert ready_pack.deliveries.get().recipient == board_member


def test_preview_is_the_html_version_of_the_frozen_data(as_user, board_member, demo, media_root):
    from boardpacks.context import board_pack_context, meeting_date_for
    from tests.boardpacks.conftest import MONTH
    from tests.factories import TODAY

    data = board_pack_context(month=MONTH, meeting_date=meeting_date_for(MONTH), as_of=TODAY)
    pack = BoardPackFactory(ready=True, data=data)
    response = as_user(board_member).get(urls(pack)["preview"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "1. Headline" in html and "Appendix: the full action plan" in html
    assert urls(pack)["download"] in html and "Back to the board pack" in html
    assert "Content-Security-Policy" in response.headers
    assert 'style="' not in html  # no inline styles under the strict CSP


def test_preview_and_download_of_an_unfinished_pack_are_404(as_user, board_member):
    pack = BoardPackFactory()
    client = as_user(board_member)
    assert client.get(urls(pack)["preview"]).status_code == 404
    assert client.get(urls(pack)["download"]).status_code == 404


def test_nav_has_board_packs(as_user, board_member):
    response = as_user(board_member).get(reverse("boardpacks:boardpack_list"))
    active = b'aria-current="true"><strong class="govuk-service-navigation__active-fallback">'
    assert active + b"Board packs" in response.content


def test_administrators_see_packs_in_the_admin_but_cannot_change_them(as_user, ready_pack):
    client = as_user(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:boardpacks_boardpack_changelist")).status_code == 200
    page = client.get(reverse("admin:boardpacks_boardpack_change", args=[ready_pack.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    delete = reverse("admin:boardpacks_boardpack_delete", args=[ready_pack.pk])
    assert client.get(delete).status_code == 403
