"""Treffpunkt staff service: staff accounts, sign-in, access tokens for the other services."""
