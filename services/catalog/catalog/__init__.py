"""Treffpunkt catalog service."""
