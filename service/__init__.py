"""Abaila: URL reputation that warns before people pay on fake shops and bank look-alikes."""

__version__ = "0.1.0"
