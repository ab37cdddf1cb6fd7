"""The ``backchannel`` command line: one module per command group."""
