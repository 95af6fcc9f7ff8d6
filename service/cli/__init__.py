"""The `ndrguard` command line: one module per command, and what they share."""
