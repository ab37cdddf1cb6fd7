"""How much of a drawn run's outcome space compare's frontier search builds.

    python benchmarks/frontier_band.py              # the 2026 flagship, runs drawn with seeds 1-5
    python benchmarks/frontier_band.py iran-us-2025 --seeds 10

For each drawn run: the outcomes that may be agreeable (``additive.at_least``, what building the
whole zone of agreement keeps) against the candidates the band along the frontier keeps
(``additive.near_frontier``), and the CPU milliseconds of each search.
"""

from __future__ import annotations

import argparse
import time

from backchannel.analysis.resolution import RESOLUTION, snap
from backchannel.experiments import additive
from backchannel.experiments.compare import draw_for
from backchannel.scenario.loader import load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="iran-us")
    parser.add_argument("--seeds", type=int, default=5, help="runs drawn with seeds 1..N")
    options = parser.parse_args()
    base = load_scenario(options.scenario)
    print(f"{options.scenario}: {base.space.size:,} outcomes")
    print(f"{'seed':>4} {'zone search':>12} {'ms':>7} {'band':>6} {'ms':>7}")
    for seed in range(1, options.seeds + 1):
        drawn = draw_for(base, seed)
        functions = [p.utility for p in drawn.parties]
        levels = [level - 2 * RESOLUTION for level in snap(drawn.reservations)]
        allowed = additive.allowed_options(functions)
        started = time.process_time()
        zone, _ = additive.at_least(drawn.space, functions, levels, allowed)
        middle = time.process_time()
        band, _ = additive.near_frontier(drawn.space, functions, levels, allowed)
        ended = time.process_time()
        print(
            f"{seed:>4} {len(zone):>12,} {1000 * (middle - started):>7.1f} "
            f"{len(band):>6,} {1000 * (ended - middle):>7.1f}"
        )


if __name__ == "__main__":
    main()
