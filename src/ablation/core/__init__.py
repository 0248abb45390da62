"""What both studies share: errors, logs and progress, provenance, weights files, tidy tables, figure style,
figure specs and the figures' legibility check."""
