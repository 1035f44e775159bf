"""Treffpunkt notification service."""
