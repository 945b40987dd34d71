"""WhatsApp Cloud API settings (WBS_WHATSAPP_*); the channel runs when all four secrets are set."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings

from bot.channels.whatsapp_api import DEFAULT_API_URL


class WhatsAppSettings(BaseSettings):
    """Credentials from Meta's dashboard, the Graph API base URL and the update template."""

    whatsapp_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_url: str = DEFAULT_API_URL
    whatsapp_update_template: str = "wbs_update"
    whatsapp_update_template_language: str = "id"
    whatsapp_webhook_path: str = "/whatsapp/webhook"
    whatsapp_max_media_mb: float = 16.0

    @property
    def whatsapp_enabled(self) -> bool:
        """True when token, phone number id, app secret and verify token are all set."""
        return all(
            (
                self.whatsapp_token and self.whatsapp_token.get_secret_value(),
                self.whatsapp_phone_number_id,
                self.whatsapp_app_secret and self.whatsapp_app_secret.get_secret_value(),
                self.whatsapp_verify_token and self.whatsapp_verify_token.get_secret_value(),
            )
        )
