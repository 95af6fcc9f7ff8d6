"""Mail stores behind one small interface: IMAP, Maildir, and the rules of a live connection."""
