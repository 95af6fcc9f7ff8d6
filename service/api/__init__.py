"""The local API: how the tray app and the CLI talk to a running service.

One Unix socket (a named pipe on Windows) in a directory only the user can enter, a shared-key
handshake on every connection, and JSON messages with a version field (docs/api.md). The
server runs inside the service process on threads of its own, so a slow client never holds up
a worker; the client is plain Python, so the CLI and the tray share it and neither needs the
other.
"""
