"""Experiments as files: what to run, where its results go, and how many at once.

:mod:`.config` (experiment files, TOML or YAML) with :mod:`._schema` (their schema),
:mod:`.experiment` (run, fit, report), :mod:`.runs` (run folders), :mod:`.sweep` (grids
of points, locally or on Dask), :mod:`.demo` and :mod:`.plots`. What is checked before
work starts, in every layer, is in :mod:`sccgames.limits`.
"""
