"""The promoted feed benchmark's load generator, in its own process as bench/loadgen.py:
keep-alive clients each asking GET /v1/feed/promoted back to back, as their device
(`X-Device-Id`) or anonymously (a user with no `device_id`)."""

# stdin: bench/loadgen.py's job with "path" and "users": [{"device_id"?}]; stdout: its drive().

from __future__ import annotations

import json
import sys

import requests

from bench.loadgen import TIMEOUT_S, Client, drive


class FeedClient(Client):
    def send(self) -> requests.Response:
        """One page of the feed, as this client's device if it has one."""
        device = self.user.get("device_id")
        headers = {"X-Device-Id": device} if device else {}
        return self.http.get(self.job["url"] + self.job["path"], headers=headers,
                             timeout=TIMEOUT_S)


if __name__ == "__main__":
    sys.stdout.write(json.dumps(drive(json.load(sys.stdin), FeedClient)))
