"""The set-based planner's SQL: the aggregates per participant (:mod:`.aggregates`), the four
bulk rules as predicates (:mod:`.set_rules`), the idempotent bulk writes (:mod:`.bulk`) and
the steps of one round over its temporary table (:mod:`.round`).

The rules' parameters (bounds, dates, sentences) are computed by
``capabilities.programme`` and passed in as plain values: nothing here knows the cadence.
"""
