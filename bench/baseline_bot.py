"""The baseline: a plain python-telegram-bot echo bot with its defaults (`run_webhook`, the
default httpx transport). Run as `python -m bench.baseline_bot PORT API_URL TOKEN SECRET`."""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say the text back."""
    if update.message and update.message.text:
        await update.message.reply_text(update.message.text)


async def pressed(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledge a button press and say its data back."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    await query.answer()
    await query.message.chat.send_message(query.data or "?")


def main() -> None:
    """Serve the webhook on 127.0.0.1:PORT until killed."""
    port, api_url, token, secret = sys.argv[1:5]
    app = Application.builder().token(token).base_url(api_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    app.run_webhook(listen="127.0.0.1", port=int(port), url_path="hook", secret_token=secret,
                    webhook_url=f"http://127.0.0.1:{port}/hook")


if __name__ == "__main__":
    main()
