"""PostgreSQL, SMTP, templates and calendar files."""
