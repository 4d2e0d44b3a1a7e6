"""Secrets in API bodies kept out of `--debug` logs.

The SDK logs request and response bodies at DEBUG and redacts nothing in them; a D2O
recipient's create and rotate-token answers carry its activation link, which is a bearer secret.
"""

from __future__ import annotations

import logging
import re

_SECRET_FIELDS = re.compile(
    r'("(?:activation_url|bearer_token|token_value|sharing_code)"\s*:\s*)"[^"]*"', re.IGNORECASE
)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET_FIELDS.sub(r'\1"**REDACTED**"', message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install() -> None:
    """On every handler of the root logger: a logger's own filters miss its children's records,
    and the SDK logs from loggers below `databricks.sdk`, not from that one."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
