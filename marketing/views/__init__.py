"""Marketing pages, one module per feature."""
