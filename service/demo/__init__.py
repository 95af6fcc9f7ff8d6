"""The demo's mailbox and the sample mail the project makes itself."""
