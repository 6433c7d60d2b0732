"""Sign-in mail over SMTP (stdlib smtplib): plain, STARTTLS or implicit TLS, with optional auth.

PATTERNLIFT_SMTP_URL picks the transport::

    smtp://host[:25]                         plain (a relay on the same host or network)
    smtp+starttls://[user:pass@]host[:587]   STARTTLS required; fails if not offered
    smtps://[user:pass@]host[:465]           TLS from the first byte

Certificates are verified against the system's CA store (SSL_CERT_FILE overrides it).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from patternlift_cli.errors import ConfigError, TemporarilyUnavailableError

logger = logging.getLogger("patternlift.server")

DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None

    def describe(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpTarget:
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ConfigError(
            "PATTERNLIFT_SMTP_URL must look like smtp://host:25, smtp+starttls://user:pass@host:587 "
            "or smtps://user:pass@host:465."
        )
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as error:
        raise ConfigError(f"PATTERNLIFT_SMTP_URL has a bad port: {error}") from error
    return SmtpTarget(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class Mailer:
    def __init__(self, target: SmtpTarget, sender: str, timeout: float) -> None:
        self.target = target
        self.sender = sender
        self.timeout = timeout

    def _connect(self) -> smtplib.SMTP:
        target = self.target
        context = ssl.create_default_context()
        if target.scheme == "smtps":
            return smtplib.SMTP_SSL(target.host, target.port, timeout=self.timeout, context=context)
        client = smtplib.SMTP(target.host, target.port, timeout=self.timeout)
        if target.scheme == "smtp+starttls":
            client.starttls(context=context)
        return client

    def send(self, to: str, subject: str, text: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2].strip("> ") or None)
        message.set_content(text)
        try:
            with self._connect() as client:
                if self.target.username:
                    client.login(self.target.username, self.target.password or "")
                client.send_message(message)
        except (OSError, smtplib.SMTPException, ssl.SSLError) as error:
            # The learner gets a line that leaks nothing about the relay; the log says what broke.
            logger.error("sending sign-in mail via %s failed: %s", self.target.describe(), error)
            raise TemporarilyUnavailableError(
                "The server could not send the sign-in mail just now.",
                hint="Try again in a few minutes.",
            ) from error
