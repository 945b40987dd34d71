"""WhatsApp Cloud API settings (`settings.whatsapp`, WBS_WHATSAPP_*); the channel runs when all
four secrets are set."""

from __future__ import annotations

from pydantic import SecretStr

from bot.channels.whatsapp.api import DEFAULT_API_URL
from storage.settings import Section, env_names


class WhatsAppSettings(Section):
    """Credentials from Meta's dashboard, the Graph API base URL and the update template."""

    model_config = env_names("WBS_WHATSAPP_")

    token: SecretStr | None = None
    phone_number_id: str | None = None
    app_secret: SecretStr | None = None
    verify_token: SecretStr | None = None
    api_url: str = DEFAULT_API_URL
    update_template: str = "wbs_update"
    update_template_language: str = "id"
    webhook_path: str = "/whatsapp/webhook"
    max_media_mb: float = 16.0

    @property
    def enabled(self) -> bool:
        """True when token, phone number id, app secret and verify token are all set."""
        return all(
            (
                self.token and self.token.get_secret_value(),
                self.phone_number_id,
                self.app_secret and self.app_secret.get_secret_value(),
                self.verify_token and self.verify_token.get_secret_value(),
            )
        )
