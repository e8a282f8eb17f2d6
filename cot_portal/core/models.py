from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskHeartbeat(models.Model):
    """When a scheduled job last ran, so call managers can see that the scheduler is alive."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    last_run = models.DateTimeField(_("last run"))
    runs = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("job heartbeat")
        verbose_name_plural = _("job heartbeats")

    def __str__(self):
        return self.name
