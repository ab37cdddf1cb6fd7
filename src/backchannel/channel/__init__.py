"""Channels: direct lines and chains of intermediaries that carry messages between parties."""

from backchannel.channel.route import Delivery, Hop, Route, direct_route, route_via

__all__ = ["Delivery", "Hop", "Route", "direct_route", "route_via"]
