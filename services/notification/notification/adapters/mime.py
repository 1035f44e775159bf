"""An email as it goes over the wire: text and HTML alternatives, the calendar file, headers.

Built with the `compat32` message classes and turned into bytes once, when the email is composed.
The newer `EmailMessage` API parses every header it is given and again when it writes the message:
that took about 6.5 ms of CPU per email here, five times the rest of the rendering, and was the
notification service's largest cost in the registration rush. Header values are encoded when they
are set (RFC 2047 words for names and subjects) and written as they are, without parsing or
refolding; the boundaries are fixed (see `_BOUNDARY`) rather than searched for in the content.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from email.charset import BASE64, Charset
from email.generator import BytesGenerator
from email.header import Header
from email.headerregistry import Address
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import format_datetime, formataddr

from ..domain.model import CalendarMethod
from .templates import RenderedEmail

# Base64 bodies and header words: encoded in C, and safe for any server (quoted-printable is pure
# Python, and choosing the shorter of the two for a header measured both, a third of the cost here).
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = _UTF8.header_encoding = BASE64
# Every leaf part is base64, whose alphabet has no "_": these can never occur in a body.
_BOUNDARY = {"mixed": "=_treffpunkt_mixed", "alternative": "=_treffpunkt_alternative"}


class _AsWritten(Compat32):
    """Writes each header as it was set: the values here are ASCII and encoded already (or UTF-8 behind
    surrogate escapes, see `_address`), and folding them again was most of the cost of writing an email."""

    def _fold(self, name: str, value: object, sanitize: bool) -> str:
        return f"{name}: {value}{self.linesep}"


_WIRE = _AsWritten(linesep="\r\n")


@dataclass(frozen=True)
class CalendarAttachment:
    content: str
    method: CalendarMethod
    filename: str


@dataclass(frozen=True)
class OutgoingEmail:
    """What the SMTP conversation needs: the envelope and the message's bytes."""

    envelope_sender: str
    recipient: str
    subject: str
    content: bytes

    @property
    def needs_smtputf8(self) -> bool:
        """An address with non-ASCII characters (RFC 6531) goes only to a server that takes them."""
        return not (self.envelope_sender + self.recipient).isascii()


def mime_message(rendered: RenderedEmail, *, sender: Address, recipient: Address, reply_to: Address | None,
                 message_id: str, language: str, date: datetime,
                 calendar: CalendarAttachment | None = None) -> OutgoingEmail:
    message = MIMEMultipart("mixed", boundary=_BOUNDARY["mixed"])
    message["From"] = _address(sender)
    message["To"] = _address(recipient)
    if reply_to is not None:
        message["Reply-To"] = _address(reply_to)
    message["Subject"] = _encoded(rendered.subject, "Subject")
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Content-Language"] = language
    # RFC 3834: no vacation replies or other automatic answers to an automatic email.
    message["Auto-Submitted"] = "auto-generated"
    alternatives = MIMEMultipart("alternative", boundary=_BOUNDARY["alternative"])
    alternatives.attach(MIMEText(rendered.text, "plain", _UTF8))
    alternatives.attach(MIMEText(rendered.html, "html", _UTF8))
    message.attach(alternatives)
    if calendar is not None:
        attachment = MIMEText(calendar.content, "calendar", _UTF8)
        # The method parameter lets mail programs offer the file as an invitation or cancellation.
        attachment.set_param("method", calendar.method.value)
        attachment.add_header("Content-Disposition", "attachment", filename=calendar.filename)
        message.attach(attachment)
    with io.BytesIO() as out:
        BytesGenerator(out, mangle_from_=False, policy=_WIRE).flatten(message)
        content = out.getvalue()
    return OutgoingEmail(sender.addr_spec, recipient.addr_spec, rendered.subject, content)


def _encoded(text: str, name: str) -> str:
    """A header's text, as RFC 2047 words (folded) when it is not ASCII."""
    return text if text.isascii() else Header(text, _UTF8, header_name=name).encode(linesep="\r\n")


def _address(address: Address) -> str:
    """A header's address, the name as an RFC 2047 word when it is not ASCII. An address that is not
    ASCII itself (RFC 6531) makes the header UTF-8 (RFC 6532): the surrogate escapes make the compat32
    generator write those bytes as they are instead of as an encoded word, which would break the address."""
    if address.addr_spec.isascii():
        return formataddr((address.display_name, address.addr_spec), charset=_UTF8)
    return str(address).encode().decode("ascii", "surrogateescape")
