"""Identification runs and their candidates."""
