"""Protocols run negotiations and emit transcripts; views show each party only its own room.

Import from the modules (``protocols.runner``, ``protocols.transcript``, ``protocols.views``):
strategies depend on views, and the runner depends on strategies.
"""
