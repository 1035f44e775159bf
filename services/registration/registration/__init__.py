"""Treffpunkt registration service."""
