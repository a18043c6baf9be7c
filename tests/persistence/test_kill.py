"""A server killed with SIGKILL while it writes leaves a valid data file with a prefix of its writes."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import httpx

from providers_sim.store import Store

from .support import account_names, create_account, start_server, stored_account_names

FLUSH_INTERVAL = 0.2
# Time for one request and one write of the small file, on top of the flush interval.
SLACK_SECONDS = 0.8


def test_killed_writer_leaves_prefix_of_acknowledged_writes(tmp_path: Path) -> None:
    data_file = tmp_path / "sandbox.json"
    server = start_server(data_file, flush_interval=FLUSH_INTERVAL)
    acknowledged: list[tuple[str, float]] = []
    stop = threading.Event()

    def write_continuously() -> None:
        number = 0
        while not stop.is_set():
            name = f"Acct{number:05d}"
            try:
                create_account(server, "outreach", name, timeout=5)
            except (httpx.HTTPError, AssertionError):
                return
            acknowledged.append((name, time.monotonic()))
            number += 1

    writer = threading.Thread(target=write_continuously)
    writer.start()
    # Kill after enough writes, whatever the machine's speed, and at least 2.5 s in.
    started = time.monotonic()
    while time.monotonic() - started < 20 and (len(acknowledged) < 60 or time.monotonic() - started < 2.5):
        time.sleep(0.05)
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    server.process.wait(10)
    stop.set()
    writer.join(10)
    server.stop()

    stored = stored_account_names(data_file, "outreach")
    names = [name for name, _ in acknowledged]
    assert len(names) > 50, "the writer should have made many writes before the kill"
    # The request in flight at the kill may have been applied before its response was sent.
    assert stored == [f"Acct{number:05d}" for number in range(len(stored))]
    assert len(stored) <= len(names) + 1
    lost = [(name, at) for name, at in acknowledged if name not in stored]
    assert all(at > killed_at - FLUSH_INTERVAL - SLACK_SECONDS for _, at in lost), (
        f"{len(lost)} acknowledged writes lost, the oldest {killed_at - lost[0][1]:.2f} s before the kill"
    )
    Store(str(data_file), flush_interval=0)  # loads without a DataFileError
    json.loads(data_file.read_text(encoding="utf-8"))

    restarted = start_server(data_file)
    try:
        assert account_names(restarted, "outreach") == stored
    finally:
        restarted.stop()
