"""Signed links for the registrant: whoever holds the link may see and cancel that registration,
nobody can guess one. The signature (itsdangerous, HMAC) binds the token to the registration id."""

from uuid import UUID

from itsdangerous import BadSignature, URLSafeSerializer


class Links:
    def __init__(self, base_url: str, secret: str) -> None:
        self._base = base_url.rstrip("/")
        self._signer = URLSafeSerializer(secret, salt="registration-link")

    def token(self, registration_id: UUID) -> str:
        return self._signer.dumps(str(registration_id))

    def is_valid(self, registration_id: UUID, token: str) -> bool:
        try:
            return self._signer.loads(token) == str(registration_id)
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
