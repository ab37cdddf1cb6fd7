"""Protocols run negotiations and emit transcripts.

Import from the modules (``protocols.runner``, ``protocols.transcript``, ``protocols.clock``).
Protocols sit above the agents: they give each strategy an ``agents.views.PartyView`` and
drive it; agents never import protocols.
"""
