"""Cross-cutting web glue: access rules, page-or-fragment, languages and preferences, kiosks, errors."""
