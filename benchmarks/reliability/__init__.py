"""How the public surface behaves under hostile input."""
