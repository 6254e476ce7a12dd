"""A health worker's 30-stop day: time to plan the route, and its length against NN alone.

    python bench/care_route.py [--stops 30] [--runs 50] [--seed 1]

Stops are random homes within about 3 km of Phichit town centre; the route starts at the
centre. Prints the median and worst planning time over the runs, and the mean tour length of
nearest neighbour + 2-opt as a share of nearest neighbour alone.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from smartcity.care.visits import routing

CENTRE = (16.443, 100.347)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stops", type=int, default=30)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    times, ratios, nn_m, opt_m = [], [], [], []
    for _ in range(args.runs):
        stops = [
            (CENTRE[0] + rng.uniform(-0.027, 0.027), CENTRE[1] + rng.uniform(-0.028, 0.028))
            for _ in range(args.stops)
        ]
        began = time.perf_counter()
        _order, length = routing.plan_route(CENTRE, stops)
        times.append(time.perf_counter() - began)
        d = routing.distance_matrix([CENTRE, *stops])
        nn = routing.path_length(routing.nearest_neighbour(d), d)
        nn_m.append(nn)
        opt_m.append(length)
        ratios.append(length / nn)
    print(f"stops={args.stops} runs={args.runs}")
    print(
        f"plan time: median {statistics.median(times) * 1000:.1f} ms, "
        f"worst {max(times) * 1000:.1f} ms (target <= 1000 ms)"
    )
    print(
        f"tour length: NN {statistics.mean(nn_m) / 1000:.2f} km, "
        f"NN+2-opt {statistics.mean(opt_m) / 1000:.2f} km, "
        f"ratio {statistics.mean(ratios):.3f} (best {min(ratios):.3f}, worst {max(ratios):.3f})"
    )


if __name__ == "__main__":
    main()
