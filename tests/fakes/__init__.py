"""Test doubles for the platforms the bot talks to (HTTP servers on loopback)."""
