"""WhatsApp Cloud API: webhook (receive), Graph API client (api), rendering and sending."""
