"""The engines: they play the model under the rules and measure what happens.

:mod:`.match` and :mod:`.tournament` (axelrod players), :mod:`.batch` (many matches at
once), :mod:`.society` (the vectorized society), :mod:`.evolution` (evolutionary dynamics),
:mod:`.ledger` (the record of a run) and :mod:`.metrics` (measures of social capital,
``docs/model.md`` §5-6).
"""
