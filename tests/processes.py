"""Helpers for tests that run real peers as processes: free ports, polling, a Redis of the test's own."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

WAIT_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, what: str, timeout: float = WAIT_SECONDS, log_of=None):
    """Poll `condition` until it returns something truthy; fail naming `what` (and a log) at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    extra = f"\n--- {log_of.log_path.name} ---\n{log_of.log_path.read_text(errors='replace')}" if log_of else ""
    pytest.fail(f"gave up after {timeout} s waiting for {what}{extra}")


class RedisServer:
    """A redis-server of the test's own, on its own port, that the test may stop and start again."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._directory = directory
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self._directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port)
        try:
            wait_until(lambda: _pings(client), what=f"redis-server on port {self.port}", timeout=20)
        finally:
            client.close()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)
        self._process = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False
