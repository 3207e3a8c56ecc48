#!/usr/bin/env python3
"""Generate the synthetic daily OHLCV sample, examples/data/sample_ohlcv.csv.

The series is a seeded geometric random walk whose daily volatility follows a
GARCH(1,1) recursion, so calm and turbulent stretches alternate (volatility
clustering), with occasional fat-tailed shocks. Bars are weekdays only,
starting Monday 2016-01-04; `time` is an ISO date (midnight UTC).

Only the Python standard library is used. The output depends only on the
seed: random.Random(seed).random() (Mersenne Twister) is stable across Python
versions, normal deviates come from our own Box-Muller transform (not
random.gauss, whose algorithm is not promised to stay the same), and numbers
are printed with fixed-point formatting.

Usage: tools/gen_sample_data.py [--out FILE] [--bars N] [--seed S]
"""

import argparse
import datetime
import math
import os
import random

DEFAULT_SEED = 20160104
DEFAULT_BARS = 2600
START_DATE = datetime.date(2016, 1, 4)
START_PRICE = 100.0

# GARCH(1,1) for daily log returns: var_t = OMEGA + ALPHA * r_{t-1}^2 + BETA * var_{t-1}.
LONG_RUN_VOL = 0.015                     # 1.5% a day, about 24% a year
ALPHA = 0.08
BETA = 0.90
OMEGA = LONG_RUN_VOL ** 2 * (1.0 - ALPHA - BETA)
DRIFT = 0.0003                           # about 7.5% a year
JUMP_PROBABILITY = 0.01                  # share of days with a fat-tailed shock
JUMP_SCALE = 3.0
BASE_VOLUME = 1_000_000


class Normal:
    """Standard normal deviates from a seeded uniform source (Box-Muller)."""

    def __init__(self, rng):
        """Wrap `rng`, a random.Random."""
        self.rng = rng
        self.spare = None

    def next(self):
        """Return the next N(0, 1) deviate."""
        if self.spare is not None:
            z, self.spare = self.spare, None
            return z
        u1 = 1.0 - self.rng.random()  # in (0, 1]: log() is safe
        u2 = self.rng.random()
        radius = math.sqrt(-2.0 * math.log(u1))
        self.spare = radius * math.sin(2.0 * math.pi * u2)
        return radius * math.cos(2.0 * math.pi * u2)


def weekdays(start, count):
    """Yield `count` consecutive Monday-to-Friday dates from `start`."""
    day = start
    produced = 0
    while produced < count:
        if day.weekday() < 5:
            yield day
            produced += 1
        day += datetime.timedelta(days=1)


def cents(x):
    """Round a price to 2 decimals (half away from zero on the printed value)."""
    return math.floor(x * 100.0 + 0.5) / 100.0


def generate(bars, seed):
    """Return a list of (date, open, high, low, close, volume) tuples."""
    rng = random.Random(seed)
    normal = Normal(rng)
    variance = LONG_RUN_VOL ** 2
    last_return = 0.0
    close = START_PRICE
    rows = []
    for day in weekdays(START_DATE, bars):
        variance = OMEGA + ALPHA * last_return ** 2 + BETA * variance
        sigma = math.sqrt(variance)
        shock = normal.next()
        if rng.random() < JUMP_PROBABILITY:
            shock *= JUMP_SCALE
        gap = 0.25 * sigma * normal.next()            # overnight move
        body = DRIFT + sigma * shock - gap            # so open-to-close adds up
        open_ = cents(close * math.exp(gap))
        new_close = cents(open_ * math.exp(body))
        wick_up = abs(normal.next()) * 0.5 * sigma
        wick_down = abs(normal.next()) * 0.5 * sigma
        high = cents(max(open_, new_close) * math.exp(wick_up))
        low = cents(min(open_, new_close) * math.exp(-wick_down))
        # Rounding must not break the bar's shape.
        high = max(high, open_, new_close)
        low = max(0.01, min(low, open_, new_close))
        activity = 1.0 + 25.0 * abs(math.log(new_close / close)) + 0.5 * (sigma / LONG_RUN_VOL - 1.0)
        volume = int(BASE_VOLUME * max(activity, 0.2) * math.exp(0.25 * normal.next()))
        volume = max(volume, 1)
        last_return = math.log(new_close / close)
        close = new_close
        rows.append((day, open_, high, low, close, volume))
    return rows


def main():
    """Parse the arguments and write the CSV."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(root, "examples", "data", "sample_ohlcv.csv"))
    parser.add_argument("--bars", type=int, default=DEFAULT_BARS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    rows = generate(args.bars, args.seed)
    with open(args.out, "w", newline="\n", encoding="ascii") as out:
        out.write("time,open,high,low,close,volume\n")
        for day, open_, high, low, close, volume in rows:
            out.write(f"{day.isoformat()},{open_:.2f},{high:.2f},{low:.2f},{close:.2f},{volume}\n")


if __name__ == "__main__":
    main()
