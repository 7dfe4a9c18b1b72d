"""Fengqiao: take in, route, resolve, supervise and learn from what the public raises."""

__version__ = "0.1.0"
