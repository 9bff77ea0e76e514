import pytest
from django.template import Context, Template, TemplateSyntaxError

from accounts import permissions

pytestmark = pytest.mark.django_db


def render(user, what: str) -> str:
    template = Template(
        '{% load permissions %}{% if user|may:"' + what + '" %}yes{% else %}no{% endif %}'
    )
    return template.render(Context({"user": user}))


def test_may_asks_accounts_permissions(lead, administrator, officer, board_member):
    assert [render(u, "import") for u in (lead, administrator, officer, board_member)] == [
        "yes",
        "yes",
        "no",
        "no",
    ]
    assert render(board_member, "export_actions") == "yes"
    assert permissions.can_export_actions(officer)


def test_may_refuses_an_unknown_permission(lead):
    with pytest.raises(TemplateSyntaxError, match="no can_fly"):
        render(lead, "fly")
