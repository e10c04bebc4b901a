"""Structured JSON logs: one object per line, with the request id when there is one."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from typing import TextIO

__all__ = ["configure_logging", "request_id", "access"]

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


class _JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": _timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        for key in ("http", "duration_ms", "status", "route", "verdict"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


_access_stream: TextIO | None = None  # set by configure_logging when request lines are wanted


_second: list[object] = [-1, ""]  # the last whole second formatted, and its text: one strftime a second


def _timestamp(created: float) -> str:
    whole = int(created)
    if _second[0] != whole:
        _second[:] = [whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))]
    return f"{_second[1]}.{int(created * 1000) % 1000:03d}Z"


def access(message: str, fields: dict[str, object]) -> None:
    """Writes one request log line, the same JSON as any record, without the logging module's per-record
    machinery (a LogRecord, handler locks): on a busy instance that was a third of a cached check's cost."""
    if _access_stream is None:
        logging.getLogger("abaila.http").info(message, extra=fields)
        return
    entry: dict[str, object] = {"ts": _timestamp(time.time()), "level": "info", "logger": "abaila.http",
                                "msg": message}
    rid = request_id.get()
    if rid:
        entry["request_id"] = rid
    entry.update(fields)
    _access_stream.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")


def configure_logging(level: str = "info") -> None:
    """Sends every log record to stderr as one JSON object per line."""
    # The logging HOWTO's "Optimization" knobs (its public ones): our records never show thread or process.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    global _access_stream
    _access_stream = sys.stderr if logging.getLevelName(level.upper()) <= logging.INFO else None
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JSONFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our request log replaces it (and drops query strings)
    # httpx logs each request's URL at INFO: the checked domain (RDAP, short links) must not reach the logs.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
