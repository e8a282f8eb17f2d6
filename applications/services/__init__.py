"""Every state change of the applications app, one module per area (ARCHITECTURE.md §2)."""
