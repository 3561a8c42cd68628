"""People and their roles, sign-in by password or by resident code and PIN, family links, kiosks."""
