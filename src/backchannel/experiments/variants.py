"""Channel variants: the same scenario with every hop's reliability or fidelity changed.

They isolate what each property of a channel costs, or ask what it would cost. A variant is a
``:``-separated list of changes applied to every intermediary, in order:

- ``lossless``: no message is lost (loss 0);
- ``undistorted``: no intermediary changes what it carries (no rewording steps, no bias);
- ``faithful``: both; only the delays remain;
- ``loss=P``: each passage through a hop is lost with probability ``P`` (senders resend);
- ``noise=P``: each passage blurs one random issue to a neighbouring value with probability
  ``P`` (a ``noise`` rewording step added after the hop's own).

``shuttle`` against ``shuttle:faithful`` measures what the channel's loss and distortion cost;
``shuttle:loss=0.1`` asks what it would cost if one message in ten went missing.
"""

from __future__ import annotations

from dataclasses import fields, replace

from backchannel.channel.fidelity import FidelityStep
from backchannel.experiments.uncertainty import share_arrays
from backchannel.scenario.model import Intermediary, Scenario

VARIANTS = {
    "lossless": "no message is lost",
    "undistorted": "no intermediary changes what it carries (no rewording, no bias)",
    "faithful": "lossless and undistorted: only the delays remain",
    "loss=P": "each passage through a hop is lost with probability P",
    "noise=P": "each passage blurs one random issue with probability P",
}
_FIXED: dict[str, dict[str, object]] = {
    "lossless": {"loss": 0.0},
    "undistorted": {"fidelity": (), "bias": None},
    "faithful": {"loss": 0.0, "fidelity": (), "bias": None},
}


class VariantError(ValueError):
    """A variant that cannot be read; the message lists the valid ones."""


def parse_variant(text: str) -> tuple[tuple[str, float | None], ...]:
    """``"loss=0.1:noise=0.2"`` → ``(("loss", 0.1), ("noise", 0.2))``; checks every part."""
    changes: list[tuple[str, float | None]] = []
    for part in (p.strip() for p in text.split(":")):
        name, sep, value = part.partition("=")
        if not sep and name in _FIXED:
            changes.append((name, None))
            continue
        if sep and name in ("loss", "noise"):
            try:
                probability = float(value)
            except ValueError:
                probability = -1.0
            if not 0.0 <= probability < 1.0:
                raise VariantError(
                    f"'{part}': {name} must be a probability in [0, 1), e.g. {name}=0.1"
                )
            changes.append((name, probability))
            continue
        known = "; ".join(f"{k} ({v})" for k, v in VARIANTS.items())
        raise VariantError(f"unknown channel variant '{part}'; choose from: {known}")
    return tuple(changes)


def describe_variant(text: str) -> str:
    parts = []
    for name, value in parse_variant(text):
        template = VARIANTS[name if value is None else f"{name}=P"]
        parts.append(template.replace("P", f"{value:g}") if value is not None else template)
    return "; ".join(parts)


def with_channel_variant(scenario: Scenario, text: str) -> Scenario:
    """``scenario`` with every intermediary changed as ``text`` says (arrays shared)."""
    hops = scenario.channel.intermediaries
    for name, value in parse_variant(text):
        hops = tuple(_changed(hop, name, value) for hop in hops)
    result = replace(scenario, channel=replace(scenario.channel, intermediaries=hops))
    share_arrays(scenario, result, [])
    return result


def _changed(hop: Intermediary, name: str, value: float | None) -> Intermediary:
    if name == "loss":
        changes: dict[str, object] = {"loss": value}
    elif name == "noise":
        step = FidelityStep(kind="noise", probability=float(value or 0.0))
        changes = {"fidelity": (*hop.fidelity, step)}
    else:
        changes = _FIXED[name]
    names = {f.name for f in fields(hop)}
    return replace(hop, **{k: v for k, v in changes.items() if k in names})  # type: ignore[arg-type]
