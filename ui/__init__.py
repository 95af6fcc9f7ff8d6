"""The tray app (`ndrguard-tray`): presentation only.

It talks to the service through the local API client alone (ndrguard.service.api.client), so
it can be closed and reopened at any time without the service noticing more than a client
gone. Only this package imports Qt.
"""
