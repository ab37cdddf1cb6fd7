"""Channels: direct lines and chains of intermediaries that carry messages between parties.

Modules: ``route`` (the one entry point, ``Route.transmit``), ``hops`` (one passage through one
hop), ``delays``, ``fidelity`` (how intermediaries change what they carry), ``bias``.
"""

from backchannel.channel.route import Delivery, Hop, Route, direct_route, route_via

__all__ = ["Delivery", "Hop", "Route", "direct_route", "route_via"]
