"""What both studies share: errors, logs, provenance, weights files, tidy tables, figure style and figure specs."""
