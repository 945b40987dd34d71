"""Deployment settings (WBS_SHUTDOWN_GRACE_SECONDS); pool sizes live in CoreSettings."""

from __future__ import annotations

from pydantic_settings import BaseSettings


class DeploySettings(BaseSettings):
    """How long a stopping worker waits for in-flight updates before it exits anyway."""

    shutdown_grace_seconds: float = 20.0
