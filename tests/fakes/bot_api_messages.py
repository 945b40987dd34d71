"""Chats, messages, files and forum topics of the fake Bot API, plus the update factories.

Used through `tests.fakes.bot_api.FakeBotApi` (documented there). Messages of both sides are
stored per chat with per-chat ids, so edits, deletions and button presses behave like Telegram.
"""

from __future__ import annotations

import copy
import itertools
import time
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_DOWNLOAD = 20 * 1024 * 1024
_CONTENT_KEYS = ("text", "caption", "photo", "document", "voice", "entities", "caption_entities")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart upload, or a file the fake serves for download."""

    filename: str | None
    content_type: str | None
    data: bytes


class ApiError(Exception):
    """Answer the call with a Bot API error (status, description, optional parameters)."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


class MessageStore:
    """Per-chat message history, files and topics; the message-related Bot API methods."""

    def __init__(self, *, bot_id: int, bot_username: str) -> None:
        self.bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "WBS",
            "username": bot_username,
        }
        self._chats: dict[int, dict[int, dict[str, Any]]] = {}
        self._next_message_id: dict[int, itertools.count[int]] = {}
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._files: dict[str, tuple[Upload, int, str]] = {}  # file_id -> (upload, size, path)
        self._paths: dict[str, str] = {}
        self._issued_callbacks: set[str] = set()
        self.answered_callbacks: dict[str, dict[str, Any]] = {}
        self.topics: dict[tuple[int, int], dict[str, Any]] = {}

    def message_handlers(self) -> dict[str, Any]:
        """Method name -> handler(params, files) for the message-related methods."""
        return {
            "sendMessage": self._send_message,
            "editMessageText": lambda p, f: self._edit(p, text=p.get("text")),
            "editMessageCaption": lambda p, f: self._edit(p, caption=p.get("caption")),
            "editMessageReplyMarkup": lambda p, f: self._edit(p),
            "answerCallbackQuery": self._answer_callback,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "sendPhoto": lambda p, f: self._send_media(p, f, "photo"),
            "sendDocument": lambda p, f: self._send_media(p, f, "document"),
            "sendVoice": lambda p, f: self._send_media(p, f, "voice"),
            "copyMessage": self._copy_message,
            "getFile": self._get_file,
            "getChat": lambda p, f: self.chat(p["chat_id"]),
            "createForumTopic": self._create_topic,
            "editForumTopic": lambda p, f: self._topic_update(p, name=p.get("name")),
            "closeForumTopic": lambda p, f: self._topic_update(p, is_closed=True),
            "reopenForumTopic": lambda p, f: self._topic_update(p, is_closed=False),
            "deleteForumTopic": lambda p, f: bool(self.topics.pop(self._topic(p), True)),
        }

    # -- state seen from the test ------------------------------------------------------------
    def live_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """What the chat shows now (user and bot messages, minus deleted ones), oldest first."""
        return [self._chats.get(chat_id, {})[k] for k in sorted(self._chats.get(chat_id, {}))]

    def chat(self, chat_id: int) -> dict[str, Any]:
        """The Chat object: positive ids are private chats, negative ones forum supergroups."""
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Warga"}
        return {"id": chat_id, "type": "supergroup", "title": "UPG", "is_forum": True}

    @staticmethod
    def user(user_id: int, language_code: str | None = "id") -> dict[str, Any]:
        """A (human) User object."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Warga"}
        if language_code:
            user["language_code"] = language_code
        return user

    def add_file(self, data: bytes, *, file_size: int | None = None, suffix: str = "bin") -> dict:
        """Register a downloadable file; `file_size` may claim more than `data` (limit tests)."""
        n = next(self._file_ids)
        file_id, path = f"file-{n}", f"documents/file_{n}.{suffix}"
        size = len(data) if file_size is None else file_size
        self._files[file_id] = (Upload(None, None, data), size, path)
        self._paths[path] = file_id
        return {"file_id": file_id, "file_unique_id": f"uniq-{n}", "file_size": size}

    def file_by_path(self, path: str) -> Upload | None:
        """The file served at `/file/bot<token>/<path>`."""
        file_id = self._paths.get(path)
        return self._files[file_id][0] if file_id else None

    # -- update factories --------------------------------------------------------------------
    def text_message(self, chat_id: int, text: str, **sender: Any) -> dict[str, Any]:
        """A text message update; "/cmd ..." gets its bot_command entity."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split(maxsplit=1)[0])}
            ]
        return self.user_message(chat_id, content, **sender)

    def photo_message(
        self,
        chat_id: int,
        data: bytes,
        *,
        caption: str | None = None,
        file_size: int | None = None,
        **sender: Any,
    ) -> dict[str, Any]:
        """A photo message (a thumbnail and the full size, both downloadable)."""
        thumb = self.add_file(data[:1024], suffix="jpg") | {"width": 90, "height": 68}
        full = self.add_file(data, file_size=file_size, suffix="jpg") | {
            "width": 1280,
            "height": 960,
        }
        content: dict[str, Any] = {"photo": [thumb, full]}
        if caption:
            content["caption"] = caption
        return self.user_message(chat_id, content, **sender)

    def document_message(
        self,
        chat_id: int,
        data: bytes,
        *,
        file_name: str = "bukti.pdf",
        mime_type: str = "application/pdf",
        file_size: int | None = None,
        **sender: Any,
    ) -> dict[str, Any]:
        """A document message."""
        doc = self.add_file(data, file_size=file_size, suffix=file_name.rsplit(".", 1)[-1])
        doc |= {"file_name": file_name, "mime_type": mime_type}
        return self.user_message(chat_id, {"document": doc}, **sender)

    def voice_message(
        self, chat_id: int, data: bytes, *, duration: int = 3, **sender: Any
    ) -> dict[str, Any]:
        """A voice note (OGG/Opus)."""
        voice = self.add_file(data, suffix="oga") | {"duration": duration, "mime_type": "audio/ogg"}
        return self.user_message(chat_id, {"voice": voice}, **sender)

    def press(
        self, chat_id: int, label: str, *, message_id: int | None = None, **sender: Any
    ) -> dict[str, Any]:
        """A callback query for the button whose text or data is `label` (newest message first)."""
        candidates = [
            m
            for m in reversed(self.live_messages(chat_id))
            if message_id in (None, m["message_id"]) and m.get("reply_markup")
        ]
        seen = []
        for message in candidates:
            for row in message["reply_markup"].get("inline_keyboard", []):
                for button in row:
                    seen.append(button["text"])
                    data = button.get("callback_data") or ""
                    option = data.rsplit("~", 1)[-1] if data.startswith("~") else data  # "~tag~id"
                    if label in (button["text"], data, option):
                        return self.callback_query(
                            chat_id,
                            button["callback_data"],
                            message_id=message["message_id"],
                            **sender,
                        )
        raise LookupError(f"no button {label!r} in chat {chat_id}; buttons: {seen}")

    def callback_query(
        self,
        chat_id: int,
        data: str,
        *,
        message_id: int,
        user_id: int | None = None,
        language_code: str | None = "id",
    ) -> dict[str, Any]:
        """A callback query update from a button on message `message_id` (kept even if gone)."""
        message = self._chats.get(chat_id, {}).get(message_id) or {
            "message_id": message_id,
            "date": 0,
            "chat": self.chat(chat_id),
        }
        query_id = str(next(self._callback_ids))
        self._issued_callbacks.add(query_id)
        return self._update(
            "callback_query",
            {
                "id": query_id,
                "from": self.user(user_id or chat_id, language_code),
                "message": copy.deepcopy(message),
                "chat_instance": f"ci{chat_id}",
                "data": data,
            },
        )

    def user_message(
        self,
        chat_id: int,
        content: dict[str, Any],
        *,
        user_id: int | None = None,
        language_code: str | None = "id",
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        """A message from a user with any content (a sticker, a location, ...)."""
        sender = self.user(user_id or chat_id, language_code)
        message = self._store(chat_id, sender, content, message_thread_id)
        return self._update("message", copy.deepcopy(message))

    def _update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), kind: payload}

    def _store(
        self,
        chat_id: int,
        sender: dict[str, Any],
        content: dict[str, Any],
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        ids = self._next_message_id.setdefault(chat_id, itertools.count(1))
        message = {
            "message_id": next(ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": sender,
            **{k: v for k, v in content.items() if v is not None},
        }
        if thread_id is not None:
            message |= {"message_thread_id": thread_id, "is_topic_message": True}
        self._chats.setdefault(chat_id, {})[message["message_id"]] = message
        return message

    # -- handlers ----------------------------------------------------------------------------
    def _bot_message(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        _check_markup(params.get("reply_markup"))
        if (caption := content.get("caption")) and len(caption) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        content["reply_markup"] = params.get("reply_markup")
        return self._store(
            params["chat_id"], self.bot_user, content, params.get("message_thread_id")
        )

    def _send_message(self, params: dict[str, Any], files: dict) -> dict[str, Any]:
        text = params.get("text") or ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return self._bot_message(params, {"text": text, "entities": params.get("entities")})

    def _send_media(
        self, params: dict[str, Any], files: dict[str, Upload], kind: str
    ) -> dict[str, Any]:
        if kind in files:
            info = self.add_file(files[kind].data)
            info |= {"file_name": files[kind].filename, "mime_type": files[kind].content_type}
        elif params.get(kind) in self._files:
            info = {"file_id": params[kind], "file_size": self._files[params[kind]][1]}
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        media = [info | {"width": 1280, "height": 960}] if kind == "photo" else info
        return self._bot_message(params, {kind: media, "caption": params.get("caption")})

    def _find(self, chat_id: int, message_id: int, verb: str) -> dict[str, Any]:
        try:
            return self._chats[chat_id][message_id]
        except KeyError:
            raise ApiError(400, f"Bad Request: message to {verb} not found") from None

    def _edit(self, params: dict[str, Any], **changes: Any) -> dict[str, Any]:
        message = self._find(params["chat_id"], params["message_id"], "edit")
        changes["reply_markup"] = params.get("reply_markup")
        _check_markup(changes["reply_markup"])
        if all(message.get(k) == v for k, v in changes.items()):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same",
            )
        message.update({k: v for k, v in changes.items() if v is not None})
        if changes["reply_markup"] is None:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    def _answer_callback(self, params: dict[str, Any], files: dict) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self._issued_callbacks or query_id in self.answered_callbacks:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.answered_callbacks[query_id] = params
        return True

    def _delete_message(self, params: dict[str, Any], files: dict) -> bool:
        self._find(params["chat_id"], params["message_id"], "delete")
        del self._chats[params["chat_id"]][params["message_id"]]
        return True

    def _delete_messages(self, params: dict[str, Any], files: dict) -> bool:
        ids = params.get("message_ids") or []
        if not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message_ids must contain 1-100 identifiers")
        for message_id in ids:
            self._chats.get(params["chat_id"], {}).pop(int(message_id), None)
        return True

    def _copy_message(self, params: dict[str, Any], files: dict) -> dict[str, int]:
        source = self._find(params["from_chat_id"], params["message_id"], "copy")
        content = {k: copy.deepcopy(source[k]) for k in _CONTENT_KEYS if k in source}
        if "caption" in params:
            content["caption"] = params["caption"]
        return {"message_id": self._bot_message(params, content)["message_id"]}

    def _get_file(self, params: dict[str, Any], files: dict) -> dict[str, Any]:
        file_id = params.get("file_id")
        if file_id not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        _, size, path = self._files[file_id]
        if size > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"uniq-{file_id}",
            "file_size": size,
            "file_path": path,
        }

    def _create_topic(self, params: dict[str, Any], files: dict) -> dict[str, Any]:
        service = self._store(
            params["chat_id"],
            self.bot_user,
            {
                "forum_topic_created": {
                    "name": params["name"],
                    "icon_color": params.get("icon_color", 7322096),
                }
            },
        )
        topic = {
            "message_thread_id": service["message_id"],
            "name": params["name"],
            "icon_color": params.get("icon_color", 7322096),
            "is_closed": False,
        }
        self.topics[(params["chat_id"], service["message_id"])] = topic
        return {k: v for k, v in topic.items() if k != "is_closed"}

    def _topic(self, params: dict[str, Any]) -> tuple[int, int]:
        key = (params["chat_id"], params["message_thread_id"])
        if key not in self.topics:
            raise ApiError(400, "Bad Request: TOPIC_ID_INVALID")
        return key

    def _topic_update(self, params: dict[str, Any], **changes: Any) -> bool:
        topic = self.topics[self._topic(params)]
        changes = {k: v for k, v in changes.items() if v is not None}
        if all(topic.get(k) == v for k, v in changes.items()):
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic.update(changes)
        return True


def _check_markup(markup: dict[str, Any] | None) -> None:
    """Reject what Telegram rejects in inline keyboards (callback_data of 1..64 bytes)."""
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise ApiError(400, "Bad Request: inline keyboard button text is empty")
