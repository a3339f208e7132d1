"""The rules of interaction: games and regimes.

What the agents play and under which institutions (``docs/model.md`` §3-4): :mod:`.games`
(the stage games), :mod:`.regimes` (social credit: watching, scoring, rewards and fines),
:mod:`.institutions` (peer punishment, schedules, combinations), :mod:`.matching` (who meets
whom) and :mod:`.community` (reputation kept by the community).
"""
