"""Signed links for the registrant: whoever holds the link may see and cancel that registration,
nobody can guess one. The signature (itsdangerous, HMAC) binds the token to the registration id."""

import json
from uuid import UUID

from itsdangerous import BadSignature, URLSafeSerializer
from itsdangerous.encoding import base64_encode


class Links:
    def __init__(self, base_url: str, secret: str) -> None:
        self._base = base_url.rstrip("/")
        self._serializer = URLSafeSerializer(secret, salt="registration-link")
        self._signer = self._serializer.make_signer()

    def token(self, registration_id: UUID) -> str:
        # Exactly `self._serializer.dumps(str(registration_id))`, so the links already sent stay valid, at a
        # tenth of the cost: without its try to zlib-compress the payload (a UUID never gets shorter) and a
        # new signer for every token. Every answer about a registration carries two.
        return self._signer.sign(base64_encode(json.dumps(str(registration_id)))).decode()

    def is_valid(self, registration_id: UUID, token: str) -> bool:
        try:
            return self._serializer.loads(token) == str(registration_id)
        except BadSignature:
            return False

    def status_api(self, registration_id: UUID) -> str:
        return f"{self._base}/api/registrations/{registration_id}?token={self.token(registration_id)}"

    def cancel_api(self, registration_id: UUID) -> str:
        return f"{self._base}/api/registrations/{registration_id}/cancel?token={self.token(registration_id)}"

    def status_page(self, registration_id: UUID) -> str:
        return f"{self._base}/r/{registration_id}?token={self.token(registration_id)}"

    def cancel_page(self, registration_id: UUID) -> str:
        return f"{self._base}/r/{registration_id}/cancel?token={self.token(registration_id)}"

    def data_page(self, registration_id: UUID) -> str:
        """"Meine Daten / My data": everything held about the registration, its JSON download and its erasure."""
        return f"{self._base}/r/{registration_id}/data?token={self.token(registration_id)}"

    def data_download(self, registration_id: UUID) -> str:
        return f"{self._base}/r/{registration_id}/data.json?token={self.token(registration_id)}"

    def erase_page(self, registration_id: UUID) -> str:
        return f"{self._base}/r/{registration_id}/erase?token={self.token(registration_id)}"
