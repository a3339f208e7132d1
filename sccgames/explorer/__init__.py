"""The explorer: the sandbox in a web browser (``sccgames explore``).

A local web app (Panel) with one page per study: a society under a regime that comes and
goes (:mod:`~sccgames.explorer.society`), a tournament of motive presets and axelrod's
strategies (:mod:`~sccgames.explorer.tournament`) and one finder of a lost wallet taken apart
(:mod:`~sccgames.explorer.wallet`). Every page exports its setup as an experiment file that
``sccgames run`` reproduces, and loads one. It needs the ``explore`` extra
(``pip install "sccgames[explore]"``); nothing here is imported by ``import sccgames``.
"""
