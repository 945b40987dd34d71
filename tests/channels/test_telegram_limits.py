"""Outbound rate limits (bot/channels/telegram/limits.py), computed on a fake clock."""

from __future__ import annotations

from telegram.error import RetryAfter

from bot.channels.telegram.limits import Rates, TelegramRateLimiter, TokenBucket, retry_after_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_private_chat_gets_a_short_burst_then_one_message_per_second():
    clock = Clock()
    bucket = TokenBucket(rate=1.0, burst=3, clock=clock)

    waits = [bucket.reserve() for _ in range(5)]

    assert waits == [0.0, 0.0, 0.0, 1.0, 2.0]


def test_bucket_refills_while_the_chat_is_quiet():
    clock = Clock()
    bucket = TokenBucket(rate=1.0, burst=3, clock=clock)
    for _ in range(3):
        bucket.reserve()

    clock.now += 2.0

    assert [bucket.reserve(), bucket.reserve(), bucket.reserve()] == [0.0, 0.0, 1.0]


def test_group_chat_is_held_to_twenty_messages_a_minute():
    clock = Clock()
    bucket = TokenBucket(rate=20 / 60, burst=1, clock=clock)

    assert [bucket.reserve(), bucket.reserve()] == [0.0, 3.0]


def test_retry_after_pauses_the_chat_for_the_time_telegram_asked():
    clock = Clock()
    bucket = TokenBucket(rate=1.0, burst=3, clock=clock)

    bucket.pause(retry_after_seconds(RetryAfter(12)))

    assert [bucket.reserve(), bucket.reserve()] == [12.0, 13.0]
    assert bucket.idle() is False
    clock.now += 16.0
    assert bucket.idle() is True


def test_private_and_group_chats_get_their_own_rates():
    limiter = TelegramRateLimiter(Rates())

    private, group = limiter._bucket(42), limiter._bucket(-100123)

    assert (private.rate, private.burst) == (1.0, 3)
    assert (group.rate, group.burst) == (20 / 60, 3)
    assert limiter._bucket(42) is private
