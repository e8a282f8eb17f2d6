"""Thin views of the applications app, one module per area."""
