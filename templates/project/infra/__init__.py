"""The DR stack, built by plain functions from a typed config so tests can vary it."""
