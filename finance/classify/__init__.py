"""Classification, the one place that decides: territory, payee keys, categories, overrides."""
