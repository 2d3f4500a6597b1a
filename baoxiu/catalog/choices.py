from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    """Ordered from most to least pressing; ``rank`` sorts queues."""

    EMERGENCY = "emergency", _("急修")
    URGENT = "urgent", _("加急")
    NORMAL = "normal", _("普通")

    @property
    def rank(self) -> int:
        return {"emergency": 0, "urgent": 1, "normal": 2}[self.value]
