"""Isolation cases for the partners app's URLs."""
