"""The notification service's own Prometheus metrics (the shared ones are in `treffpunkt_shared.metrics`)."""

from prometheus_client import Counter

EMAILS_SENT = Counter("notification_emails_sent_total", "Emails the SMTP server accepted", ["kind"])
EMAILS_FAILED = Counter("notification_emails_failed_total", "Emails given up, permanently refused or out of attempts",
                        ["kind", "permanent"])
EMAILS_RETRIED = Counter("notification_emails_retried_total", "Attempts that failed transiently and are tried again",
                         ["kind"])
