"""Safety nets for a party's own decisions: proposing or accepting a package that crosses one of
its red lines, or is worth less than its walk-away value, needs an explicit confirmation.

The check runs on the server, so an API caller must confirm as well as a person in the browser.
"""

from __future__ import annotations

from backchannel.scenario.model import Scenario
from backchannel.service.errors import ServiceError
from backchannel.service.scenarios import utility

CONFIRM_FIELD = "confirm_below_walkaway"
BINDING_KINDS = ("proposal", "accept")


def risk(model: Scenario, party_id: str, outcome: int) -> str | None:
    """Why ``outcome`` is against ``party_id``'s own limits, or None if it is not."""
    value, allowed = utility(model, party_id, outcome)
    if not allowed:
        return f"crosses one of your red lines (worth {value:.2f} to you)"
    reservation = model.party(party_id).reservation
    if value < reservation:
        return f"is worth {value:.2f} to you, below your walk-away value of {reservation:.2f}"
    return None


def require_confirmation(
    model: Scenario, party_id: str, kind: str, outcome: int | None, confirmed: bool
) -> None:
    """Refuse (409) a binding move against the party's own limits unless it was confirmed."""
    if confirmed or kind not in BINDING_KINDS or outcome is None:
        return
    why = risk(model, party_id, outcome)
    if why is not None:
        verb = "propose" if kind == "proposal" else "accept"
        raise ServiceError(
            409,
            f"not sent: this package {why}",
            f'if you really mean to {verb} it, send it again with "{CONFIRM_FIELD}": true',
            confirm=CONFIRM_FIELD,
            risk=why,
        )
