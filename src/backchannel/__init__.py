"""Backchannel: model, simulate, analyse and run negotiations through intermediaries."""

__version__ = "0.1.0"
