"""An email as it goes over the wire: text and HTML alternatives, the calendar file, headers."""

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from ..domain.model import CalendarMethod
from .templates import RenderedEmail


@dataclass(frozen=True)
class CalendarAttachment:
    content: str
    method: CalendarMethod
    filename: str


def mime_message(rendered: RenderedEmail, *, sender: Address, recipient: Address, reply_to: Address | None,
                 message_id: str, language: str, date: datetime,
                 calendar: CalendarAttachment | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Content-Language"] = language
    # RFC 3834: no vacation replies or other automatic answers to an automatic email.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    if calendar is not None:
        # The method parameter lets mail programs offer the file as an invitation or cancellation.
        message.add_attachment(calendar.content, subtype="calendar", filename=calendar.filename,
                               params={"method": calendar.method.value})
    return message
