"""Sign-in mail over a real SMTP conversation: STARTTLS with auth, implicit TLS, failures."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest

from patternlift_cli.errors import ConfigError, TemporarilyUnavailableError
from patternlift_cli.server.mailer import Mailer, parse_smtp_url
from tests.server_support import MailBox, free_port

USER, PASSWORD = "mailer", "p@ss word"
# aiosmtpd warns about AUTH without STARTTLS; on smtps the whole connection is TLS already.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture(scope="module")
def certificate_authority():
    import trustme

    return trustme.CA()


@pytest.fixture
def trusted(certificate_authority, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the test CA the one the mailer's default SSL context trusts."""
    bundle = tmp_path / "ca.pem"
    certificate_authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))


def _authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult

    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.fixture
def tls_mail_server(certificate_authority, request: pytest.FixtureRequest) -> Iterator[MailBox]:
    from aiosmtpd.controller import Controller

    implicit = request.param == "smtps"
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(context)
    box = MailBox("127.0.0.1", free_port())
    options = {"authenticator": _authenticator, "auth_required": True}
    if implicit:
        # aiosmtpd cannot see that the socket is TLS already, so it must not insist on STARTTLS.
        controller = Controller(box, hostname=box.host, port=box.port, ssl_context=context,
                                auth_require_tls=False, **options)
    else:
        controller = Controller(box, hostname=box.host, port=box.port, tls_context=context,
                                require_starttls=True, **options)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.mark.parametrize("tls_mail_server", ["smtp+starttls", "smtps"], indirect=True)
def test_mail_goes_out_over_tls_with_auth(tls_mail_server: MailBox, trusted, request: pytest.FixtureRequest) -> None:
    scheme = request.node.callspec.params["tls_mail_server"]
    url = f"{scheme}://{USER}:p%40ss%20word@127.0.0.1:{tls_mail_server.port}"
    Mailer(parse_smtp_url(url), "PatternLift <no-reply@patternlift.test>", 5).send(
        "ada@example.com", "Your PatternLift sign-in code", "Your PatternLift sign-in code is 123456\n"
    )
    assert tls_mail_server.code_for("ada@example.com") == "123456"
    message = message_from_bytes(tls_mail_server.messages[0][1])
    assert message["From"] == "PatternLift <no-reply@patternlift.test>" and message["Message-ID"]


@pytest.mark.parametrize("tls_mail_server", ["smtp+starttls"], indirect=True)
def test_wrong_credentials_fail_in_one_line_that_leaks_nothing(tls_mail_server: MailBox, trusted) -> None:
    url = f"smtp+starttls://{USER}:wrong@127.0.0.1:{tls_mail_server.port}"
    with pytest.raises(TemporarilyUnavailableError, match="could not send the sign-in mail") as failed:
        Mailer(parse_smtp_url(url), "no-reply@patternlift.test", 5).send("a@b.co", "s", "t")
    assert "wrong" not in str(failed.value) and "127.0.0.1" not in str(failed.value)
    assert tls_mail_server.messages == []


@pytest.mark.parametrize("tls_mail_server", ["smtp+starttls"], indirect=True)
def test_plain_smtp_to_a_server_that_requires_starttls_sends_nothing(tls_mail_server: MailBox) -> None:
    with pytest.raises(TemporarilyUnavailableError):
        Mailer(parse_smtp_url(f"smtp://127.0.0.1:{tls_mail_server.port}"), "no-reply@patternlift.test", 5).send(
            "a@b.co", "s", "t"
        )
    assert tls_mail_server.messages == []


@pytest.mark.parametrize("tls_mail_server", ["smtps"], indirect=True)
def test_a_certificate_nobody_vouches_for_is_refused(tls_mail_server: MailBox) -> None:
    url = f"smtps://{USER}:x@127.0.0.1:{tls_mail_server.port}"
    with pytest.raises(TemporarilyUnavailableError):
        Mailer(parse_smtp_url(url), "no-reply@patternlift.test", 5).send("a@b.co", "s", "t")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://relay", ("smtp", "relay", 25, None, None)),
        ("smtp+starttls://u:p%2Fq@mail.example.com", ("smtp+starttls", "mail.example.com", 587, "u", "p/q")),
        ("smtps://u:p@mail.example.com:2465", ("smtps", "mail.example.com", 2465, "u", "p")),
    ],
)
def test_smtp_urls(url: str, expected: tuple) -> None:
    target = parse_smtp_url(url)
    assert (target.scheme, target.host, target.port, target.username, target.password) == expected


@pytest.mark.parametrize("url", ["mail.example.com", "imap://mail", "smtp://", "smtp://host:port"])
def test_bad_smtp_urls_are_one_config_line(url: str) -> None:
    with pytest.raises(ConfigError, match="PATTERNLIFT_SMTP_URL"):
        parse_smtp_url(url)
