"""The HTTP server every webhook shares (WBS_LISTEN_HOST / WBS_LISTEN_PORT / WBS_PUBLIC_URL)."""

from __future__ import annotations

from pydantic import field_validator
from pydantic_settings import BaseSettings


class WebSettings(BaseSettings):
    """Where the one aiohttp server listens and the HTTPS address the world reaches it at."""

    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    public_url: str | None = None  # e.g. https://wbs.example.go.id (a TLS proxy in front)

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else None
