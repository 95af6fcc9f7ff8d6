"""The service's memory on disk: verdicts, counters and the journal of moves."""
