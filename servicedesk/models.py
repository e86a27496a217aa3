"""Rows the project itself keeps: the heartbeat that proves beat and a worker are alive."""

from django.db import models


class Heartbeat(models.Model):
    """Last time a periodic task ran through beat and a worker; /healthz reports its age."""

    name = models.CharField(max_length=60, unique=True)
    beat_at = models.DateTimeField()
    worker = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
