"""The staff service's own metrics (the shared ones are in `treffpunkt_shared.metrics`)."""

from prometheus_client import Counter

SIGN_INS = Counter("staff_sign_ins_total", "Password sign-ins by outcome", ["outcome"])
OIDC_SIGN_INS = Counter("staff_oidc_sign_ins_total", "OpenID Connect sign-ins by outcome (signed_in, refused, unavailable)",
                        ["outcome"])
