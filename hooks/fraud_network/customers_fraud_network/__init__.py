"""Fraud signals shared across stores as keyed hashes (a reference customers-plugin plugin)."""
