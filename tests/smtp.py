"""A real SMTP server on loopback (aiosmtpd) that a test can script to refuse, stall or hold
messages. The `smtp` fixture (tests/conftest.py) points the app's mail at it."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import deque
from email.message import Message


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ScriptedHandler:
    """An SMTP server's behaviour, scripted by the test.

    refuse_data: replies to give to the next DATA commands instead of accepting ("451 ...").
    refuse_rcpt: replies to give to the next RCPT commands.
    stall_ehlo: seconds to sit silent on the next EHLO commands (the client times out).
    hold_next: hold the next message after DATA until `release` is set; if the client goes
        away meanwhile, the message is dropped, as a real server drops an unacknowledged one.
    """

    def __init__(self):
        self.messages: list[Message] = []
        self.refuse_data: deque[str] = deque()
        self.refuse_rcpt: deque[str] = deque()
        self.stall_ehlo: deque[float] = deque()
        self.hold_next = False
        self.holding = threading.Event()
        self.release = threading.Event()
        self.data_attempts = 0
        self.received = threading.Condition()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        if self.stall_ehlo:
            await asyncio.sleep(self.stall_ehlo.popleft())
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse_rcpt:
            return self.refuse_rcpt.popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.data_attempts += 1
        if self.refuse_data:
            return self.refuse_data.popleft()
        if self.hold_next:
            self.hold_next = False
            self.holding.set()
            while not self.release.is_set():  # cancelled if the client's connection drops
                await asyncio.sleep(0.02)
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.received:
            self.messages.append(message)
            self.received.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Message]:
        """Wait until `count` messages have arrived; returns them all."""
        with self.received:
            self.received.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        return list(self.messages)

    def to(self) -> list[str]:
        return sorted(m["To"] for m in self.messages)
