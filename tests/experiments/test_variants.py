import pytest

from backchannel.experiments.variants import (
    VariantError,
    describe_variant,
    parse_variant,
    with_channel_variant,
)


def test_variants_parse_and_describe():
    assert parse_variant("loss=0.1:noise=0.25") == (("loss", 0.1), ("noise", 0.25))
    assert parse_variant("faithful") == (("faithful", None),)
    assert describe_variant("loss=0.1") == "each passage through a hop is lost with probability 0.1"
    for bad, message in [
        ("loss=1.5", "loss must be a probability in"),
        ("noise=x", "noise must be a probability in"),
        ("perfect", "unknown channel variant 'perfect'"),
    ]:
        with pytest.raises(VariantError, match=message):
            parse_variant(bad)


def test_what_if_loss_and_noise_change_every_hop_and_nothing_else(uncertain):
    changed = with_channel_variant(uncertain, "loss=0.2:noise=0.5")
    for before, after in zip(
        uncertain.channel.intermediaries, changed.channel.intermediaries, strict=True
    ):
        assert after.loss == 0.2
        assert after.fidelity[:-1] == before.fidelity
        assert (after.fidelity[-1].kind, after.fidelity[-1].probability) == ("noise", 0.5)
        assert after.delay_hours == before.delay_hours
    assert changed.parties == uncertain.parties
    assert changed.utilities is uncertain.utilities
    clean = with_channel_variant(changed, "faithful").channel.intermediaries
    assert all(h.loss == 0.0 and h.fidelity == () for h in clean)
