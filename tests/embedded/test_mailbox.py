"""The embedded SMTP mailbox, over real sockets with the real aiosmtplib client."""

import asyncio
import gc
import html
import re
import signal
import sys
import warnings
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib
import httpx
import pytest
import pytest_asyncio

from treffpunkt_devstack.mailbox import Mailbox

SUBJECT = "Anmeldebestätigung: Treffpunkt Wirtschaft & Verwaltung – Grüße aus Köln"
TEXT = "Guten Tag Frau Müller,\n\nIhre Anmeldung ist bestätigt.\n"
HTML = '<p>Guten Tag Frau Müller,</p><p>Ihre Anmeldung ist <b>bestätigt</b> &amp; "gültig".</p>\n'
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Treffpunkt//DE\r\nBEGIN:VEVENT\r\n"
    "UID:42@treffpunkt.example\r\nSUMMARY:Treffpunkt – Gespräch über Förderprogramme\r\n"
    "DTSTART:20260312T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()


def invitation(to: str = "Jürgen Müller <juergen@example.org>") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Treffpunkt <noreply@treffpunkt.example>"
    message["To"] = to
    message["Subject"] = SUBJECT
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="treffpunkt.example")
    message.set_content(TEXT)
    message.add_alternative(HTML, subtype="html")
    message.add_attachment(ICS, maintype="text", subtype="calendar", filename="termin.ics")
    return message


def plain(subject: str = "Hallo", to: str = "someone@example.org") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "noreply@treffpunkt.example"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("Hallo\n")
    return message


@pytest_asyncio.fixture(scope="module")
async def running_mailbox():
    async with Mailbox() as mailbox:
        yield mailbox


@pytest.fixture
async def mailbox(running_mailbox: Mailbox) -> Mailbox:
    running_mailbox.clear()
    running_mailbox.reject_recipients.clear()
    running_mailbox.transient_failures = 0
    await running_mailbox.come_up()
    return running_mailbox


@pytest.fixture
async def web(mailbox: Mailbox):
    async with httpx.AsyncClient(base_url=mailbox.web_url, timeout=5) as client:
        yield client


async def send(mailbox: Mailbox, message: EmailMessage, **kwargs):
    return await aiosmtplib.send(
        message, hostname="127.0.0.1", port=mailbox.smtp_port, timeout=5, **kwargs
    )


async def test_keeps_a_multipart_message_with_every_part_parsed(mailbox: Mailbox) -> None:
    message = invitation()
    await send(mailbox, message)

    [received] = await mailbox.wait_for(1)
    assert received is mailbox.messages[0]
    assert received.id >= 1
    assert received.received_at.tzinfo is not None
    assert abs(received.received_at - datetime.now(UTC)) < timedelta(seconds=5)
    assert received.mail_from == "noreply@treffpunkt.example"
    assert received.rcpt_tos == ("juergen@example.org",)
    assert b"Subject: " in received.raw and b"BEGIN:VCALENDAR" not in received.raw  # base64
    assert received.subject == SUBJECT
    assert received.message_id == message["Message-ID"]
    assert received.text == TEXT
    assert received.html == HTML
    assert received.attachments == [("termin.ics", "text/calendar", ICS)]
    assert str(received.message["To"]) == "Jürgen Müller <juergen@example.org>"


async def test_ids_count_up_and_are_not_reused_after_clear(mailbox: Mailbox) -> None:
    await send(mailbox, plain("eins"))
    await send(mailbox, plain("zwei"))
    first, second = await mailbox.wait_for(2)
    assert (first.subject, second.subject) == ("eins", "zwei")
    assert second.id == first.id + 1

    mailbox.clear()
    assert mailbox.messages == []
    await send(mailbox, plain("drei"))
    [third] = await mailbox.wait_for(1)
    assert third.id == second.id + 1


async def test_smtputf8_8bitmime_size_and_any_login(mailbox: Mailbox) -> None:
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=mailbox.smtp_port, timeout=5) as smtp:
        assert smtp.supports_extension("smtputf8")
        assert smtp.supports_extension("8bitmime")
        assert smtp.esmtp_extensions["size"] == str(25 * 1024 * 1024)

    await send(mailbox, plain(to="jürgen@müller.example"), username="who", password="ever")
    [received] = await mailbox.wait_for(1)
    assert received.rcpt_tos == ("jürgen@müller.example",)


async def test_wait_for_times_out_naming_how_many_arrived(mailbox: Mailbox) -> None:
    await send(mailbox, plain("eins"))
    with pytest.raises(TimeoutError, match=r"expected 2 message\(s\) within 0.1 s, but 1 arrived"):
        await mailbox.wait_for(2, timeout=0.1)
    with pytest.raises(TimeoutError, match=r"matching the predicate within 0.1 s, but 0 arrived"):
        await mailbox.wait_for(1, timeout=0.1, predicate=lambda m: m.subject == "zwei")


async def test_wait_for_wakes_up_when_a_matching_message_arrives(mailbox: Mailbox) -> None:
    waiting = asyncio.create_task(mailbox.wait_for(1, predicate=lambda m: m.subject == "zwei"))
    await send(mailbox, plain("eins"))
    await send(mailbox, plain("zwei"))
    [received] = await asyncio.wait_for(waiting, 2)
    assert received.subject == "zwei"


async def test_rejected_recipient_gets_the_configured_reply(mailbox: Mailbox) -> None:
    mailbox.reject_recipients["bad@example.org"] = (550, "5.1.1 Mailbox unavailable")
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=mailbox.smtp_port, timeout=5) as smtp:
        await smtp.mail("noreply@treffpunkt.example")
        with pytest.raises(aiosmtplib.SMTPRecipientRefused) as refused:
            await smtp.rcpt("Bad@Example.org")
        assert refused.value.code == 550
        assert refused.value.message == "5.1.1 Mailbox unavailable"
        await smtp.rcpt("good@example.org")
        await smtp.data(plain().as_bytes())

    errors, _ = await send(mailbox, plain(), recipients=["good@example.org", "bad@example.org"])
    assert errors["bad@example.org"].code == 550
    received = await mailbox.wait_for(2)
    assert [m.rcpt_tos for m in received] == [("good@example.org",)] * 2


async def test_transient_failure_answers_451_then_accepts(mailbox: Mailbox) -> None:
    mailbox.transient_failures = 1
    with pytest.raises(aiosmtplib.SMTPDataError) as failed:
        await send(mailbox, plain())
    assert failed.value.code == 451
    assert failed.value.message == "4.3.0 Try again later"
    assert mailbox.transient_failures == 0
    assert mailbox.messages == []

    await send(mailbox, plain())
    assert len(await mailbox.wait_for(1)) == 1


async def test_go_down_refuses_connections_and_come_up_listens_on_the_same_port(
    mailbox: Mailbox,
) -> None:
    port = mailbox.smtp_port
    tasks_before = asyncio.all_tasks()
    open_session = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=5)
    await open_session.connect()

    await mailbox.go_down()
    assert asyncio.all_tasks() == tasks_before  # the dropped session's task is over
    with pytest.raises(aiosmtplib.SMTPServerDisconnected):
        await open_session.noop()
    with pytest.raises(aiosmtplib.SMTPConnectError) as refused:
        await send(mailbox, plain())
    assert isinstance(refused.value.__cause__, ConnectionRefusedError)

    await mailbox.come_up()
    assert mailbox.smtp_port == port
    await send(mailbox, plain("wieder da"))
    [received] = await mailbox.wait_for(1)
    assert received.subject == "wieder da"


async def test_web_page_lists_and_shows_the_message(mailbox: Mailbox, web: httpx.AsyncClient) -> None:
    await send(mailbox, plain("älter"))
    await send(mailbox, invitation())
    older, received = await mailbox.wait_for(2)

    index = await web.get("/")
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    assert html.escape(SUBJECT, quote=False) in index.text
    assert f'href="/messages/{received.id}"' in index.text
    assert index.text.index(f"/messages/{received.id}") < index.text.index(f"/messages/{older.id}")

    page = await web.get(f"/messages/{received.id}")
    assert page.status_code == 200
    assert "<pre>Guten Tag Frau Müller,\n\nIhre Anmeldung ist bestätigt.\n</pre>" in page.text
    assert "Jürgen Müller &lt;juergen@example.org&gt;" in page.text
    assert html.escape(received.message_id) in page.text
    [srcdoc] = re.findall(r'<iframe sandbox [^>]*srcdoc="([^"]*)"', page.text)
    assert html.unescape(srcdoc) == HTML
    assert f'href="/messages/{received.id}/attachments/0">termin.ics</a>' in page.text

    download = await web.get(f"/messages/{received.id}/attachments/0")
    assert download.status_code == 200
    assert download.content == ICS
    assert download.headers["content-type"].startswith("text/calendar")
    assert 'filename="termin.ics"' in download.headers["content-disposition"]

    raw = await web.get(f"/messages/{received.id}/raw")
    assert raw.headers["content-type"] == "text/plain; charset=utf-8"
    assert raw.content == received.raw
    eml = await web.get(f"/messages/{received.id}/raw", params={"download": "true"})
    assert eml.headers["content-type"] == "message/rfc822"
    assert f'filename="message-{received.id}.eml"' in eml.headers["content-disposition"]


async def test_unknown_message_or_attachment_is_a_clear_404(
    mailbox: Mailbox, web: httpx.AsyncClient
) -> None:
    for path in ("/messages/99999", "/messages/99999/raw", "/messages/99999/attachments/0"):
        response = await web.get(path)
        assert response.status_code == 404
        assert "no message 99999" in response.json()["detail"]

    await send(mailbox, plain())
    [received] = await mailbox.wait_for(1)
    response = await web.get(f"/messages/{received.id}/attachments/0")
    assert response.status_code == 404
    assert "has 0 attachment(s)" in response.json()["detail"]


async def test_json_api_lists_and_delete_clears(mailbox: Mailbox, web: httpx.AsyncClient) -> None:
    await send(mailbox, invitation())
    [received] = await mailbox.wait_for(1)

    listing = (await web.get("/api/messages")).json()
    assert listing == [
        {
            "id": received.id,
            "received_at": received.received_at.isoformat(),
            "mail_from": "noreply@treffpunkt.example",
            "to": ["juergen@example.org"],
            "subject": SUBJECT,
            "message_id": received.message_id,
            "attachments": [
                {"filename": "termin.ics", "content_type": "text/calendar", "size": len(ICS)}
            ],
        }
    ]

    assert (await web.delete("/api/messages")).status_code == 204
    assert mailbox.messages == []
    assert (await web.get("/api/messages")).json() == []


async def test_delete_all_button_works_without_javascript(
    mailbox: Mailbox, web: httpx.AsyncClient
) -> None:
    await send(mailbox, plain())
    await mailbox.wait_for(1)
    assert '<form method="post" action="/clear">' in (await web.get("/")).text

    response = await web.post("/clear")
    assert (response.status_code, response.headers["location"]) == (303, "/")
    assert mailbox.messages == []


async def test_stop_leaves_no_task_or_socket_behind() -> None:
    tasks_before = asyncio.all_tasks()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mailbox = Mailbox()
        await mailbox.start()
        smtp_port, web_port = mailbox.smtp_port, mailbox.web_port
        idle_session = aiosmtplib.SMTP(hostname="127.0.0.1", port=smtp_port, timeout=5)
        await idle_session.connect()
        async with httpx.AsyncClient(base_url=mailbox.web_url) as web:
            assert (await web.get("/")).status_code == 200  # leaves a keep-alive connection
            await mailbox.stop()
        idle_session.close()
        await asyncio.sleep(0)
        gc.collect()

    assert asyncio.all_tasks() == tasks_before
    assert [str(w.message) for w in caught] == []
    assert mailbox.web_url is None
    for port in (smtp_port, web_port):
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", port)


async def test_command_line_runs_until_sigterm() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "treffpunkt_devstack.mailbox",
        "--smtp-port", "0", "--web-port", "0",
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        line = (await asyncio.wait_for(process.stderr.readline(), 10)).decode()
        found = re.search(r"SMTP on 127\.0\.0\.1:(\d+), web page on (http://127\.0\.0\.1:\d+)", line)
        assert found, line
        mailbox = Mailbox(smtp_port=int(found[1]))
        await send(mailbox, plain("von außen"))
        async with httpx.AsyncClient(base_url=found[2]) as web:
            [listed] = (await web.get("/api/messages")).json()
        assert listed["subject"] == "von außen"
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
