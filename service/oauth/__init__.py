"""OAuth 2 for IMAP: provider profiles, sign-in (loopback redirect and device grant), the grant
in the keyring, access tokens refreshed before they expire, and XOAUTH2/OAUTHBEARER login."""
