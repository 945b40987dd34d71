"""All tables; importing this package registers them on SQLModel.metadata."""

from storage.models.audit import AuditEntry, AuditHead
from storage.models.conversation import Conversation
from storage.models.digest import DigestRecord, SchedulerLease, SlaReminder
from storage.models.draft import DraftAttachment
from storage.models.holiday import HolidayOverride
from storage.models.inbox import InboxItem
from storage.models.keys import DataKey
from storage.models.officer import (
    DeliveryAlert,
    DeskMessage,
    DeskTopic,
    Officer,
    OfficerNote,
    TicketDesk,
)
from storage.models.outbox import OutboxItem
from storage.models.reminder import GiftReminder
from storage.models.telegram_chat import TelegramChat, TelegramMessage
from storage.models.throttle import SenderThrottle
from storage.models.ticket import Ticket, TicketAttachment, TicketMessage
from storage.models.whatsapp import WhatsAppContact, WhatsAppDelivery

__all__ = [
    "AuditEntry",
    "AuditHead",
    "Conversation",
    "DataKey",
    "DeliveryAlert",
    "DeskMessage",
    "DeskTopic",
    "DigestRecord",
    "DraftAttachment",
    "GiftReminder",
    "HolidayOverride",
    "InboxItem",
    "Officer",
    "OfficerNote",
    "OutboxItem",
    "SchedulerLease",
    "SenderThrottle",
    "SlaReminder",
    "TelegramChat",
    "TelegramMessage",
    "Ticket",
    "TicketAttachment",
    "TicketDesk",
    "TicketMessage",
    "WhatsAppContact",
    "WhatsAppDelivery",
]
