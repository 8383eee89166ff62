"""Structured JSON logs in Cloud Logging's format, one line per record on stdout.

Never pass request bodies, passwords, tokens or email addresses to a log call:
log account ids and request ids instead.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import datetime, timezone
from typing import Any

_configured = False


class CloudLoggingFormatter(logging.Formatter):
    """Formats a record as the JSON Cloud Logging parses from stdout."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "logger": record.name,
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["stack_trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure(level: str = "INFO") -> None:
    """Route the root logger to stdout as JSON (idempotent)."""
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(CloudLoggingFormatter())
    root = logging.getLogger()
    # Replace plain console handlers (they would print every record twice), keep others.
    root.handlers[:] = [h for h in root.handlers if type(h) is not logging.StreamHandler]
    root.addHandler(handler)
    root.setLevel(level)
    _configured = True


def log(logger: logging.Logger, level: int, message: str, **fields: Any) -> None:
    """Log `message` with structured `fields` (ids and numbers, never personal data)."""
    logger.log(level, message, extra={"fields": fields})


def log_unhandled(logger: logging.Logger, error: BaseException, **fields: Any) -> None:
    """Log a bug with its stack, but not the message of a database error: the server's
    text can quote the values it refused (`Key (email)=(…) already exists`)."""
    if _is_database_error(error):
        from common.adapters.database import sqlstate  # loaded already: the error is its

        frames = "".join(traceback.format_tb(error.__traceback__))
        fields = {**fields, "error": type(error).__name__,
                  "sqlstate": sqlstate(error),
                  "stack_trace": frames + f"{type(error).__name__}: (message withheld)"}
        logger.error("unhandled database error", extra={"fields": fields})
        return
    logger.error("unhandled error", exc_info=error, extra={"fields": fields})


def _is_database_error(error: BaseException) -> bool:
    return type(error).__module__.startswith(("sqlalchemy", "pg8000"))

