"""The running service: a worker per account, its passes, and the decision on each message."""
