"""A TCP relay between the portal and PostgreSQL that counts round trips: each message after
which a client waits for the server's answer (a simple Query, or the Sync that ends an extended
query), as PostgreSQL's frontend/backend protocol defines them.

psycopg prepares a statement on a connection once it has run it a few times: a Parse of a named
statement, then a Sync, before the first Bind. Those round trips, once per statement and
connection, are counted apart, as preparations."""

import socket
import struct
import threading
from contextlib import suppress

# What a client sends that makes it wait: Query ('Q') and Sync ('S').
WAITS_FOR_ANSWER = {ord("Q"), ord("S")}
# Requests a client may send, untyped, before its startup message; the server answers one byte.
SSL_REQUEST, GSSENC_REQUEST = 80877103, 80877104


def _exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


class CountingRelay:
    """Listens on 127.0.0.1 at .port and relays every connection to host:port, counting the
    client's round trips in .trips. drop() closes every relayed connection, as a server restart
    would."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.trips = 0
        self.preparations = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self._lock:
                self._sockets += [client, server]
            threading.Thread(target=self._from_client, args=(client, server), daemon=True).start()
            threading.Thread(target=self._copy, args=(server, client), daemon=True).start()

    def _from_client(self, client: socket.socket, server: socket.socket) -> None:
        try:
            while True:  # untyped messages until the startup message
                head = _exactly(client, 8)
                length, code = struct.unpack("!ii", head)
                server.sendall(head + _exactly(client, length - 8))
                if code not in (SSL_REQUEST, GSSENC_REQUEST):
                    break
            preparing = False
            while True:
                head = _exactly(client, 5)
                kind, length = head[0], struct.unpack("!i", head[1:])[0]
                body = _exactly(client, length - 4)
                if kind in WAITS_FOR_ANSWER:
                    with self._lock:
                        self.trips += 1
                        self.preparations += preparing and kind == ord("S")
                preparing = kind == ord("P") and not body.startswith(b"\0")
                server.sendall(head + body)
        except (ConnectionError, OSError):
            self._close(client, server)

    def _copy(self, source: socket.socket, target: socket.socket) -> None:
        with suppress(OSError):
            while chunk := source.recv(65536):
                target.sendall(chunk)
        self._close(source, target)

    def _close(self, *sockets: socket.socket) -> None:
        for each in sockets:
            with suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)
            each.close()

    def drop(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        self._close(*sockets)

    def close(self) -> None:
        self._listener.close()
        self.drop()
