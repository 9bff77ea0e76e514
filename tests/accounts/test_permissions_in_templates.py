"""Templates learn what the person may do in one way: the `permissions` object the context
processor gives every page (accounts.permissions.Permissions), answering with the same
functions, under the same names, as views and services use."""

import ast
import inspect
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.urls import reverse

from accounts import permissions
from accounts.permissions import Permissions
from tests.factories import ActionFactory, IndicatorFactory, RiskFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def render(user, source: str, **context) -> str:
    return Template(source).render(Context({"permissions": Permissions(user), **context}))


def asks(user, what: str) -> str:
    return render(user, "{% if permissions.can_" + what + " %}yes{% else %}no{% endif %}")


def user_questions() -> list[str]:
    """The module's questions about a person alone: `can_x(user)`."""
    return [
        name
        for name, function in inspect.getmembers(permissions, inspect.isfunction)
        if name.startswith("can_")
        and function.__module__ == permissions.__name__
        and list(inspect.signature(function).parameters) == ["user"]
    ]


def test_templates_ask_accounts_permissions(lead, administrator, officer, board_member):
    assert [asks(u, "import") for u in (lead, administrator, officer, board_member)] == [
        "yes",
        "yes",
        "no",
        "no",
    ]
    assert asks(board_member, "export_actions") == "yes"
    assert permissions.can_export_actions(officer)


def test_an_unknown_permission_is_an_error_not_a_silent_no(lead):
    with pytest.raises(AttributeError):
        Permissions(lead).can_fly  # noqa: B018


def test_every_question_about_a_person_is_on_the_object_and_agrees(
    lead, administrator, officer, board_member
):
    questions = user_questions()
    assert "can_manage_plan" in questions and "can_import" in questions
    for user in (lead, administrator, officer, board_member, AnonymousUser()):
        answers = Permissions(user)
        for name in questions:
            assert getattr(answers, name) is getattr(permissions, name)(user), (user, name)


def test_questions_about_an_object_are_asked_with_in_or_called(officer, other_officer):
    mine = ActionFactory(owner=officer)
    theirs = ActionFactory(owner=other_officer, accountable=other_officer)
    answers = Permissions(officer)
    assert mine in answers.can_edit_action
    assert theirs not in answers.can_edit_action
    assert answers.can_edit_action(mine) is True
    assert answers.can_edit_action(theirs) is False
    source = "{% if action in permissions.can_edit_action %}edit{% else %}read{% endif %}"
    assert render(officer, source, action=mine) == "edit"
    assert render(officer, source, action=theirs) == "read"
    indicator, risk = IndicatorFactory(owner=officer), RiskFactory(owner=other_officer)
    assert indicator in answers.can_enter_indicator_values
    assert risk not in answers.can_edit_risk
    assert risk in Permissions(other_officer).can_edit_risk


def test_every_permission_a_template_asks_for_exists():
    """A misspelt name would render as "no" without a word: catch it here."""
    asked = set()
    for path in TEMPLATES.rglob("*.html"):
        asked |= set(re.findall(r"\bpermissions\.(\w+)", path.read_text()))
    assert "can_manage_plan" in asked
    assert sorted(name for name in asked if not hasattr(Permissions, name)) == []


def test_templates_ask_in_one_way_only():
    """No permission filters, no `perms`, no per-view `can_…` booleans: `permissions.…`."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern in (
            r"\{%\s*load[^%]*\bpermissions\b",
            r"\|(may|can_\w+)\b",
            r"\bperms\.",
            r"(?<![.\w])can_(?!add_row|raise\b)\w+",
        ):
            found += [(path.name, m.group()) for m in re.finditer(pattern, text)]
    assert found == []


def test_every_page_has_the_persons_permissions(as_user, lead):
    response = as_user(lead).get(reverse("actions:action_list"))
    answers = response.context["permissions"]
    assert isinstance(answers, Permissions)
    assert answers.user == lead
    assert answers.can_manage_plan


def test_permissions_imports_no_app_above_accounts_when_running():
    """accounts is near the bottom of the layers: the apps it reasons about (actions,
    board, kpis, risks) are imported for type checking only."""
    tree = ast.parse(Path(permissions.__file__).read_text())
    runtime = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            runtime.append(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            runtime += [alias.name.split(".")[0] for alias in node.names]
    allowed = {"__future__", "collections", "functools", "typing", "django", "accounts"}
    assert set(runtime) - allowed == set()
