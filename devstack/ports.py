"""Port helpers shared by the local stand-ins (127.0.0.1 only)."""

from __future__ import annotations

import socket
import time
import urllib.request
from typing import Any

HOST = "127.0.0.1"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_is_open(port: int, host: str = HOST) -> bool:
    """Return True when something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(port: int, timeout: float, host: str = HOST) -> bool:
    """Poll until host:port accepts connections; return False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_is_open(port, host):
            return True
        time.sleep(0.05)
    return False


# Stand-ins live on 127.0.0.1: never route their HTTP through an HTTP(S)_PROXY of the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def open_local(request: str | urllib.request.Request, timeout: float) -> Any:
    """urlopen for local stand-ins, bypassing any configured proxy."""
    return _DIRECT.open(request, timeout=timeout)
