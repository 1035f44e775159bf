"""Invalid requests answered in the language of the person who sent them: the registration's `language`
when the body names one we speak, else the `Accept-Language` header, else German."""

import json

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError

from ..texts import LANGUAGES, accepted_language, validation_message


async def invalid_request(request: Request, error: RequestValidationError) -> Response:
    body = error.body
    language = body.get("language") if isinstance(body, dict) else None
    if language not in LANGUAGES:
        language = accepted_language(request.headers.get("accept-language"))
    # `loc` is (where, field, ...): body, query or header, then the field's name.
    detail = [{"loc": list(item["loc"]), "msg": validation_message(language, item, _field(item["loc"])),
               "type": item["type"]} for item in error.errors()]
    # ASCII JSON: a field name the client made up may be a lone surrogate, which has no UTF-8 form.
    return Response(json.dumps({"detail": detail}), status_code=422, media_type="application/json")


def _field(loc: tuple) -> str | int | None:
    return loc[1] if len(loc) > 1 else None
