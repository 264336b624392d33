"""Documents the app produces as files (PDF)."""
