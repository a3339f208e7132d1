"""The model: the five motives, the decision rule, profiles, agents and populations.

What an agent wants and how it chooses (``docs/model.md`` §1-2): :mod:`.motives` (each
motive's value of cooperating), :mod:`.decision` (the logit rule and the state it reads),
:mod:`.profiles` (parameters), :mod:`.agents` (the axelrod players and named presets),
:mod:`.population` (mixtures of types) and :mod:`.draws` (random draws). Nothing here knows
of engines, experiments or inference.
"""
