"""The officers' side of Telegram: commands and topic messages in the forum group, posts into it,
and scheduled notices."""
