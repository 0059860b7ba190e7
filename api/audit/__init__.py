"""Audit log: who did what, when and from where (sign-ins, revocations, links, roles)."""
