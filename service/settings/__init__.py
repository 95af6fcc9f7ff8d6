"""What the user configured: the config file, identities, secrets in the keyring, live reload."""
