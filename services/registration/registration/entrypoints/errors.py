"""Invalid requests answered in the language of the person who sent them: the registration's `language`
when the body names one we speak, else the `Accept-Language` header, else German."""

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError

from treffpunkt_shared.http import invalid_request_answer
from treffpunkt_shared.languages import LANGUAGES, accepted_language

from ..texts import validation_message


async def invalid_request(request: Request, error: RequestValidationError) -> Response:
    body = error.body
    language = body.get("language") if isinstance(body, dict) else None
    if language not in LANGUAGES:
        language = accepted_language(request.headers.get("accept-language"))
    # `loc` is (where, field, ...): body, query or header, then the field's name.
    return invalid_request_answer(error, lambda item: validation_message(language, item, _field(item["loc"])))


def _field(loc: tuple) -> str | int | None:
    return loc[1] if len(loc) > 1 else None
