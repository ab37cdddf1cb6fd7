"""Channel variants: the same scenario with one property of every hop switched off.

They isolate what each property of a channel costs. ``shuttle`` against ``shuttle:faithful``
measures what loss and distortion cost on top of the delays; ``direct`` against
``shuttle:faithful`` measures what the delays alone cost.
"""

from __future__ import annotations

from dataclasses import fields, replace

from backchannel.experiments.uncertainty import share_arrays
from backchannel.scenario.model import Intermediary, Scenario

VARIANTS = {
    "lossless": "no message is lost (loss 0 on every hop)",
    "undistorted": "no intermediary changes what it carries (no rewording steps, no bias)",
    "faithful": "lossless and undistorted: only the delays remain",
}
_CHANGES: dict[str, dict[str, object]] = {
    "lossless": {"loss": 0.0},
    "undistorted": {"fidelity": (), "bias": None},
    "faithful": {"loss": 0.0, "fidelity": (), "bias": None},
}


def with_channel_variant(scenario: Scenario, variant: str) -> Scenario:
    """``scenario`` with every intermediary changed as ``variant`` says (arrays shared)."""
    if variant not in VARIANTS:
        raise KeyError(f"unknown channel variant '{variant}'; choose one of: {', '.join(VARIANTS)}")
    hops = tuple(_changed(hop, _CHANGES[variant]) for hop in scenario.channel.intermediaries)
    result = replace(scenario, channel=replace(scenario.channel, intermediaries=hops))
    share_arrays(scenario, result, [])
    return result


def _changed(hop: Intermediary, changes: dict[str, object]) -> Intermediary:
    names = {f.name for f in fields(hop)}
    return replace(hop, **{k: v for k, v in changes.items() if k in names})  # type: ignore[arg-type]
