"""Treffpunkt shared contracts and plumbing."""
