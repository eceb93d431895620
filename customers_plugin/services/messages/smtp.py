"""The built-in ``email`` channel: one SMTP connection per message.

``SmtpEmail`` is registered last so a third-party email provider wins; it is inactive until
``CUSTOMERS_SMTP_HOST`` and ``CUSTOMERS_SMTP_SENDER`` are set. It sends the headers it is given
(``List-Unsubscribe``, ``Reply-To``…) and the ``Message-ID`` it is asked to use. Logs never carry
addresses or message text.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from ...plugins import hookimpl

log = logging.getLogger(__name__)

SECURITY_MODES = ("starttls", "ssl", "none")


class SmtpEmail:
    """The built-in ``email`` channel: one SMTP connection per message."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self._config = config

    @property
    def configured(self) -> bool:
        return bool(self._config.get("CUSTOMERS_SMTP_HOST")) and bool(
            self._config.get("CUSTOMERS_SMTP_SENDER")
        )

    @hookimpl(trylast=True)
    def send_message(
        self,
        store_id: str,
        channel: str,
        to: str,
        subject: str | None,
        body: str,
        headers: Mapping[str, str],
        message_id: str | None,
    ) -> str | None:
        if channel != "email" or not self.configured:
            return None
        config = self._config
        sender = config["CUSTOMERS_SMTP_SENDER"]
        message = EmailMessage()
        message["From"] = sender
        message["To"] = to
        message["Subject"] = subject or ""
        for name, value in (headers or {}).items():
            message[name] = value
        message["Message-ID"] = message_id or make_msgid(domain=sender.rpartition("@")[2] or None)
        message.set_content(body)
        with self._connect() as smtp:
            smtp.send_message(message)
        log.info("customers: email sent for store %s", store_id)
        return message["Message-ID"]

    def _connect(self) -> smtplib.SMTP:
        config = self._config
        host = config["CUSTOMERS_SMTP_HOST"]
        port = int(config["CUSTOMERS_SMTP_PORT"])
        timeout = float(config["CUSTOMERS_SMTP_TIMEOUT"])
        security = config["CUSTOMERS_SMTP_SECURITY"]
        if security not in SECURITY_MODES:
            raise ValueError(f"CUSTOMERS_SMTP_SECURITY must be one of {SECURITY_MODES}")
        if security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if config.get("CUSTOMERS_SMTP_USER"):
                smtp.login(
                    config["CUSTOMERS_SMTP_USER"], config.get("CUSTOMERS_SMTP_PASSWORD") or ""
                )
        except BaseException:
            smtp.close()
            raise
        return smtp
