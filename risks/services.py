"""Writes to the risk register. Every change of rating goes through here, so the rating
history (RiskRating) is always written with it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import permissions
from risks.models import Risk, RiskRating

RISK_FIELDS = [
    "reference",
    "title",
    "description",
    "causes",
    "consequences",
    "controls",
    "mitigation",
    "owner",
    "likelihood",
    "impact",
    "target_likelihood",
    "target_impact",
    "appetite",
    "review_date",
    "status",
]
RATING_FIELDS = ["likelihood_id", "impact_id", "target_likelihood_id", "target_impact_id"]
LEAD_ONLY_FIELDS = ["reference", "owner", "status"]


def risk_for_edit(*, user, pk: int, lock: bool = False) -> Risk:
    """Fetch a risk the user may update, or raise PermissionDenied (404 if missing)."""
    queryset = Risk.objects.select_related(
        "owner", "likelihood__matrix", "impact", "target_likelihood", "target_impact"
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    risk = get_object_or_404(queryset, pk=pk)
    if not permissions.can_edit_risk(user, risk):
        raise PermissionDenied("Only the risk's owner or an improvement lead can update it.")
    return risk


def _rating(risk: Risk) -> tuple:
    return tuple(getattr(risk, name) for name in RATING_FIELDS)


def _check_one_matrix(risk: Risk) -> None:
    matrices = {
        risk.likelihood.matrix_id,
        risk.impact.matrix_id,
        risk.target_likelihood.matrix_id,
        risk.target_impact.matrix_id,
    }
    if len(matrices) > 1:
        raise ValidationError(
            {"likelihood": ["Rate the risk and its target on the same risk matrix."]}
        )


def _record_rating(*, risk: Risk, user, on: dt.date, note: str) -> RiskRating:
    return RiskRating.objects.create(
        risk=risk,
        likelihood_id=risk.likelihood_id,
        impact_id=risk.impact_id,
        target_likelihood_id=risk.target_likelihood_id,
        target_impact_id=risk.target_impact_id,
        rated_on=on,
        recorded_by=user,
        note=note,
    )


@transaction.atomic
def risk_create(*, user, data: dict, on: dt.date | None = None) -> Risk:
    """Add a risk from cleaned form data and write its first rating."""
    if not permissions.can_manage_risks(user):
        raise PermissionDenied("Only improvement leads can add risks.")
    risk = Risk(**{name: data[name] for name in RISK_FIELDS if name in data})
    _check_one_matrix(risk)
    risk.full_clean()
    risk.save()
    risk.actions.set(data.get("actions", []))
    _record_rating(
        risk=risk,
        user=user,
        on=on or timezone.localdate(),
        note=(data.get("rating_note") or "").strip() or "First rating.",
    )
    return risk


@transaction.atomic
def risk_update(*, user, pk: int, data: dict, on: dt.date | None = None) -> Risk:
    """Change a risk. If its current or target rating changes, a reason is needed and
    the new rating is added to the history. Only leads change reference, owner, status."""
    risk = risk_for_edit(user=user, pk=pk, lock=True)
    if not permissions.can_manage_risks(user):
        changed = [n for n in LEAD_ONLY_FIELDS if n in data and data[n] != getattr(risk, n)]
        if changed:
            raise PermissionDenied("Only improvement leads can change a risk's owner or status.")
    before = _rating(risk)
    for name in RISK_FIELDS:
        if name in data:
            setattr(risk, name, data[name])
    _check_one_matrix(risk)
    note = (data.get("rating_note") or "").strip()
    rating_changed = _rating(risk) != before
    if rating_changed and not note:
        raise ValidationError({"rating_note": ["Say why the rating has changed."]})
    risk.full_clean()
    risk.save()
    if "actions" in data:
        risk.actions.set(data["actions"])
    if rating_changed:
        _record_rating(risk=risk, user=user, on=on or timezone.localdate(), note=note)
    return risk
