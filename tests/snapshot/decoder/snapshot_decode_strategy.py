"""The strategy parts of pinevm snapshots, for
tests/snapshot/decoder/snapshot_decode.py: the program's strategy section
(docs/snapshot-format.md, 6.7) and the broker section of the state archive
(7.6), read field by field with the checks the document lists.
"""

import math

from snapshot_decode_archive import require

MAX_PROGRAM_STRING = 1 << 20    # MAXSTR: the currency, like any program string
MAX_BROKER_STRING = 40960       # ids and comments of orders, exits and trades
MAX_ORDERS = 1 << 16            # orders, exit rules, legs of one rule
MAX_TRADES = 1 << 27            # open trades, closed trades
MIN_ORDER_BYTES = 3 * 8 + 7 * 8 + 3
MIN_EXIT_BYTES = 7 * 8 + 11 * 8 + 8
MIN_LEG_BYTES = 4 * 8 + 1
MIN_TRADE_BYTES = 4 * 8 + 18 * 8
INT64_MIN = -(1 << 63)          # int na
LONG, SHORT, ALL = 1, -1, 0     # strategy.long, strategy.short, strategy.direction.all

QTY_TYPES = ["fixed", "cash", "percent_of_equity"]
COMMISSION_TYPES = ["percent", "cash_per_contract", "cash_per_order"]
ORDER_KINDS = ["entry", "order", "close", "close_all"]
OCA_TYPES = ["none", "cancel", "reduce"]
SETTING_FLAGS = ["process_orders_on_close", "close_entries_any", "calc_on_order_fills", "calc_on_every_tick",
                 "use_bar_magnifier", "fill_orders_on_standard_ohlc"]


def enum(r, names, what):
    """A u8 below len(names); its name."""
    v = r.u8()
    require(v < len(names), f"{r.name}: bad {what} {v}")
    return names[v]


def read_strategy_settings(r):
    """Section 6.7: the settings of strategy(), in the order written; the
    ranges are checked after the whole section is read, as pinevm does."""
    s = {"initial_capital": r.f64(), "currency": r.string(MAX_PROGRAM_STRING, "currency"),
         "default_qty_type": enum(r, QTY_TYPES, "default quantity type"), "default_qty_value": r.f64(),
         "pyramiding": r.i64(), "commission_type": enum(r, COMMISSION_TYPES, "commission type"),
         "commission_value": r.f64(), "slippage": r.i64()}
    for name in SETTING_FLAGS:
        s[name] = r.flag(name)
    s["margin_long"], s["margin_short"] = r.f64(), r.f64()
    s["backtest_fill_limits_assumption"], s["risk_free_rate"] = r.i64(), r.f64()
    for key, low, high, open_low in (("initial_capital", 0, 1e15, True), ("default_qty_value", 0, 1e15, True),
                                     ("pyramiding", 0, 1_000_000, False), ("commission_value", 0, 1e15, False),
                                     ("slippage", 0, 1_000_000, False), ("margin_long", 0, 1e6, False),
                                     ("margin_short", 0, 1e6, False),
                                     ("backtest_fill_limits_assumption", 0, 1_000_000, False),
                                     ("risk_free_rate", -100, 1e6, False)):
        v = s[key]
        ok = (v > low if open_low else v >= low) and v <= high  # False for NaN
        require(ok, f"program: strategy setting {key} = {v} out of range")
    return s


def is_qty(q):
    """A positive finite quantity."""
    return q > 0 and math.isfinite(q)


def read_trade(r, next_number):
    """One trade record (open or closed)."""
    t = {"number": r.i64(), "direction": r.i64(), "qty": r.f64()}
    require(1 <= t["number"] < next_number, f"state: trade number {t['number']} out of range")
    require(t["direction"] in (LONG, SHORT), "state: trade direction is not long or short")
    require(is_qty(t["qty"]), "state: trade quantity is not positive")
    t["entry_id"] = r.string(MAX_BROKER_STRING, "trade entry id")
    t["entry_comment"] = r.string(MAX_BROKER_STRING, "trade entry comment")
    t["entry_price"], t["entry_bar_index"], t["entry_time"], t["entry_commission"] = r.f64(), r.i64(), r.i64(), r.f64()
    t["exit_id"] = r.string(MAX_BROKER_STRING, "trade exit id")
    t["exit_comment"] = r.string(MAX_BROKER_STRING, "trade exit comment")
    t["exit_price"], t["exit_bar_index"], t["exit_time"] = r.f64(), r.i64(), r.i64()
    for key in ("exit_commission", "max_runup", "max_drawdown", "profit", "cumulative_profit", "best_price",
                "worst_price"):
        t[key] = r.f64()
    t["entry_order_bar"] = r.i64()
    return t


def read_order(r, next_seq):
    """One pending order."""
    o = {"kind": enum(r, ORDER_KINDS, "order kind"), "id": r.string(MAX_BROKER_STRING, "order id"),
         "direction": r.i64(), "qty": r.f64(), "qty_percent": r.f64(), "limit": r.f64(), "stop": r.f64(),
         "stop_triggered": r.flag("stop_triggered"), "oca_name": r.string(MAX_BROKER_STRING, "OCA name"),
         "oca_type": enum(r, OCA_TYPES, "OCA type"), "comment": r.string(MAX_BROKER_STRING, "order comment"),
         "placed_bar": r.i64(), "seq": r.u64()}
    closes = o["kind"] in ("close", "close_all")
    require(closes or (o["direction"] in (LONG, SHORT) and is_qty(o["qty"])),
            "state: order direction or quantity out of range")
    require(not closes or math.isnan(o["qty"]) or is_qty(o["qty"]), "state: close quantity out of range")
    require(0 <= o["qty_percent"] <= 100, "state: order quantity percent out of range")
    require(o["seq"] < next_seq, "state: order sequence number out of range")
    return o


def read_exit(r, next_seq, next_number):
    """One exit rule and its legs."""
    e = {}
    for key in ("id", "from_entry", "oca_name", "comment", "comment_profit", "comment_loss", "comment_trailing"):
        e[key] = r.string(MAX_BROKER_STRING, f"exit {key}")
    for key in ("qty", "qty_percent", "profit", "limit", "loss", "stop", "trail_price", "trail_points", "trail_offset"):
        e[key] = r.f64()
    e["placed_bar"], e["seq"] = r.i64(), r.u64()
    require(math.isnan(e["qty"]) or is_qty(e["qty"]), "state: exit quantity out of range")
    require(0 <= e["qty_percent"] <= 100, "state: exit quantity percent out of range")
    require(e["seq"] < next_seq, "state: exit sequence number out of range")
    legs = []
    for _ in range(r.count(MIN_LEG_BYTES, MAX_ORDERS, "exit leg")):
        leg = {"trade": r.i64(), "allocated": r.f64(), "closed": r.f64(), "trail_best": r.f64(),
               "trail_active": r.flag("trail_active")}
        require(1 <= leg["trade"] < next_number, "state: exit leg names no trade")
        require(all(math.isfinite(leg[k]) and leg[k] >= 0 for k in ("allocated", "closed")),
                "state: exit leg quantity out of range")
        legs.append(leg)
    require(len({leg["trade"] for leg in legs}) == len(legs), "state: exit legs repeat a trade")
    e["legs"] = legs
    return e


def read_broker(r):
    """Section 7.6: the broker of a strategy instance, after the heap."""
    b = {"next_trade_number": r.i64(), "next_seq": r.u64(), "bar_index": r.i64(), "last_equity": r.f64()}
    require(1 <= b["next_trade_number"] <= MAX_TRADES + 1, "state: next trade number out of range")
    require(b["bar_index"] >= -1, "state: broker bar index out of range")
    b["bar"] = {"time": r.i64(), "open": r.f64(), "high": r.f64(), "low": r.f64(), "close": r.f64(), "volume": r.f64()}
    b["orders"] = [read_order(r, b["next_seq"]) for _ in range(r.count(MIN_ORDER_BYTES, MAX_ORDERS, "order"))]
    b["exits"] = [read_exit(r, b["next_seq"], b["next_trade_number"])
                  for _ in range(r.count(MIN_EXIT_BYTES, MAX_ORDERS, "exit rule"))]
    for key in ("open", "closed"):
        trades = [read_trade(r, b["next_trade_number"])
                  for _ in range(r.count(MIN_TRADE_BYTES, MAX_TRADES, f"{key} trade"))]
        if key == "open":
            numbers = [t["number"] for t in trades]
            require(all(a < c for a, c in zip(numbers, numbers[1:])), "state: open trades out of number order")
        b[key] = trades
    totals = {}
    for key in ("netprofit", "grossprofit", "grossloss", "wins", "losses", "evens", "commission_paid", "max_held_all",
                "max_held_long", "max_held_short", "peak_equity", "trough_equity", "max_drawdown",
                "max_drawdown_percent", "max_runup", "max_runup_percent", "sum_profit_percent", "sum_win_percent",
                "sum_loss_percent", "margin_calls"):
        totals[key] = r.i64() if key in ("wins", "losses", "evens", "margin_calls") else r.f64()
    b["totals"] = totals
    rules = {"allow_entry_in": r.i64(), "max_cons_loss_days": r.i64(), "max_drawdown": r.f64(),
             "max_intraday_filled_orders": r.i64(), "max_intraday_loss": r.f64(), "max_position_size": r.f64()}
    require(rules["allow_entry_in"] in (ALL, LONG, SHORT), "state: allow_entry_in out of range")
    for key in ("max_cons_loss_days", "max_intraday_filled_orders"):
        require(rules[key] == INT64_MIN or rules[key] >= 1, f"state: risk rule {key} out of range")
    for key in ("max_drawdown", "max_intraday_loss", "max_position_size"):
        require(math.isnan(rules[key]) or rules[key] > 0, f"state: risk rule {key} out of range")
    rules["max_drawdown_percent"] = r.flag("max_drawdown_percent")
    rules["max_intraday_loss_percent"] = r.flag("max_intraday_loss_percent")
    b["rules"] = rules
    risk = {"day": r.i64(), "day_start_equity": r.f64(), "day_fills": r.i64(), "losing_days": r.i64(),
            "halted_for_day": r.flag("halted_for_day"), "halted": r.flag("halted")}
    require(risk["day_fills"] >= 0 and risk["losing_days"] >= 0, "state: risk counter out of range")
    b["risk"] = risk
    b["report"] = {"first_open": r.f64(), "month": r.i64(), "month_start_equity": r.f64()}
    b["months"] = {"count": r.i64(), "mean": r.f64(), "m2": r.f64(), "downside": r.f64()}
    require(b["months"]["count"] >= 0, "state: month count is negative")
    return b


def broker_summary(b):
    """The facts the JSON output reports about a broker."""
    legs = [leg for e in b["exits"] for leg in e["legs"]]
    return {"next_trade_number": b["next_trade_number"], "bar_index": b["bar_index"], "orders": len(b["orders"]),
            "exit_rules": len(b["exits"]), "exit_legs": len(legs), "open_trades": len(b["open"]),
            "closed_trades": len(b["closed"]), "order_kinds": sorted({o["kind"] for o in b["orders"]}),
            "trailing_legs": sum(1 for leg in legs if leg["trail_active"]), "risk_halted": b["risk"]["halted"],
            "losing_days": b["risk"]["losing_days"], "months": b["months"]["count"]}
