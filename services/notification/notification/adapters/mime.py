"""An email as it goes over the wire: text and HTML alternatives, the calendar file, headers.

Built with the `compat32` message classes and turned into bytes once, when the email is composed.
The newer `EmailMessage` API parses every header it is given and again when it writes the message:
that took about 6.5 ms of CPU per email here, five times the rest of the rendering, and was the
notification service's largest cost in the registration rush. Header values are encoded here
(RFC 2047 words for names and subjects) so that nothing needs parsing.
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
from email.policy import compat32
from email.utils import format_datetime, formataddr

from ..domain.model import CalendarMethod
from .templates import RenderedEmail

# Base64 bodies: encoded in C, and safe for any server (quoted-printable is pure Python and slower).
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = BASE64
_WIRE = compat32.clone(linesep="\r\n")


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
    message = MIMEMultipart("mixed")
    message["From"] = _address(sender)
    message["To"] = _address(recipient)
    if reply_to is not None:
        message["Reply-To"] = _address(reply_to)
    message["Subject"] = Header(rendered.subject, "utf-8") if not rendered.subject.isascii() else rendered.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Content-Language"] = language
    # RFC 3834: no vacation replies or other automatic answers to an automatic email.
    message["Auto-Submitted"] = "auto-generated"
    alternatives = MIMEMultipart("alternative")
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


def _address(address: Address) -> str:
    """A header's address, the name as an RFC 2047 word when it is not ASCII. An address that is not
    ASCII itself (RFC 6531) makes the header UTF-8 (RFC 6532): the surrogate escapes make the compat32
    generator write those bytes as they are instead of as an encoded word, which would break the address."""
    if address.addr_spec.isascii():
        return formataddr((address.display_name, address.addr_spec), charset="utf-8")
    return str(address).encode().decode("ascii", "surrogateescape")
