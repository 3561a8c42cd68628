"""A real SMTP server on 127.0.0.1 for tests, keeping every message it is given."""

import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """A real SMTP server on 127.0.0.1 that keeps every message it is given; it can be stopped
    and started again on the same port, like a mail server that went down for a while."""

    def __init__(self) -> None:
        self.received = []
        self.port = _free_port()
        self.server = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.received.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"

    def start(self) -> None:
        self.server = Controller(self, hostname="127.0.0.1", port=self.port)
        self.server.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
