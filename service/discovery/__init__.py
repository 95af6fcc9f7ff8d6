"""Finding the IMAP server from the address, as desktop mail clients do on first run."""
