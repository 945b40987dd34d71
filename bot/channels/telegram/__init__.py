"""Telegram: the reporters' bot (channel, receive, send, render, api, transport) and the officers' forum
group (officers/)."""
