"""core.triggers: the database rules the models declare (django-pgtrigger)."""

import pgtrigger
import pytest
from django.db import ProgrammingError, connection, transaction

from actions.models import ProgressUpdate, Status
from core.triggers import Refuse, append_only
from tests.factories import ActionFactory


def test_refuse_raises_its_own_message_with_insufficient_privilege():
    trigger = Refuse(
        name="frozen", operation=pgtrigger.Delete, message="row % can't go", params=("OLD.id",)
    )
    assert trigger.get_func(ProgressUpdate) == (
        "RAISE EXCEPTION 'row % can''t go', OLD.id USING ERRCODE = 'insufficient_privilege';"
    )


def test_append_only_refuses_update_and_delete():
    trigger = append_only()
    assert str(trigger.operation) == "UPDATE OR DELETE"
    assert trigger.condition is None
    assert trigger.when == pgtrigger.Before


@pytest.mark.django_db
def test_a_refused_write_is_a_programming_error_with_sqlstate_42501(officer):
    update = ProgressUpdate.objects.create(
        action=ActionFactory(),
        author=officer,
        status_before=Status.ON_TRACK,
        status_after=Status.ON_TRACK,
        percent_before=0,
        percent_after=10,
    )
    with (
        pytest.raises(ProgrammingError, match="progressupdate rows are append-only") as error,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE actions_progressupdate SET note = 'x' WHERE id = %s", [update.pk])
    assert error.value.__cause__.sqlstate == "42501"
