"""Models of calaim.ltc."""
