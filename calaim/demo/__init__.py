"""Synthetic demo data: the plans' provider network, staff logins and a deterministic member population."""
