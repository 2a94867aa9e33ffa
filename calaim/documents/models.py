"""Models of calaim.documents."""
