"""The engines: they play the model under the rules and measure what happens.

:mod:`.match` and :mod:`.tournament` (axelrod players), :mod:`.batch` (many matches at
once), :mod:`.society` (the vectorized society) and :mod:`.round` (its round, step by step:
match, decide, enforce, update, sanction, pay, record), :mod:`.evolution` (evolutionary dynamics),
:mod:`.ledger` (the record of a run), :mod:`.metrics` (measures of social capital and a
tournament's payoff matrix, ``docs/model.md`` §5-6) and :mod:`.workers` (the process pool).
"""
