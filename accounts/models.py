import pghistory
from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    """The four roles. Each is a Django group created by a migration."""

    BOARD_MEMBER = "Board member", "Board member"
    OFFICER = "Officer", "Officer"
    IMPROVEMENT_LEAD = "Improvement lead", "Improvement lead"
    ADMINISTRATOR = "Administrator", "Administrator"


# Who has an account and its details are audited; passwords and sign-in times are not.
# Password changes and administrators' resets of a password or second factor are recorded
# as manual events (accounts/credentials.py).
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    pghistory.ManualEvent("password_changed"),
    pghistory.ManualEvent("password_reset"),
    pghistory.ManualEvent("two_factor_reset"),
    exclude=["password", "last_login"],
)
class User(AbstractUser):
    """A person who signs in: board member, officer, improvement lead or administrator."""

    job_title = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> frozenset[str]:
        """Names of the user's role groups, cached for the life of the instance."""
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True))
            self._role_names = cached
        return cached


# Role changes (group membership) are audited too.
UserRoleEvent = pghistory.create_event_model(
    User.groups.through, model_name="UserRoleEvent", abstract=False
)
