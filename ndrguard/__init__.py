"""ndrguard core."""
