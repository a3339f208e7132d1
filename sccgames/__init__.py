"""sccgames: a behavioural game theory sandbox for social credit systems.

Agents act from five motives (rational calculation, habit, moral norm, emotion, evolved
sociality) and meet under incentive regimes that watch, score, reward and fine; the package
asks what happens to cooperation and trust, and whether a purely rational model explains it.

>>> import sccgames as scc
>>> [cls.name for cls in scc.motive_strategies][:2]
['Homo Economicus', 'Subgame Perfect']

Every public name (and every submodule, as ``scc.config``) is imported on first use
(PEP 562), so that ``import sccgames`` is instant and the command answers ``--help`` without
waiting for axelrod.
"""

from __future__ import annotations

import importlib
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from sccgames import datasets, inference, plots, signatures
    from sccgames.agents import (
        Citizen,
        ConditionalCooperator,
        Empath,
        Habitual,
        HomoEconomicus,
        Moralist,
        MotiveAgent,
        SocialAnimal,
        SubgamePerfect,
        motive_strategies,
    )
    from sccgames.bibliography import BIBLIOGRAPHY
    from sccgames.community import Assessment, CommunityReputation
    from sccgames.decision import Context, Observation, State, p_cooperate
    from sccgames.evolution import (
        Dynamics,
        evolve,
        moran_process,
        payoff_matrix,
        replicator_dynamics,
    )
    from sccgames.experiment import run
    from sccgames.games import (
        LostWallet,
        PublicGoods,
        TrustGame,
        TwoWallets,
        harmony,
        payoff_matrices,
        prisoners_dilemma,
        snowdrift,
        stag_hunt,
    )
    from sccgames.institutions import Combined, PeerPunishment, Schedule
    from sccgames.ledger import Ledger
    from sccgames.match import Match
    from sccgames.matching import FixedPartners, NetworkMatching, RandomMatching
    from sccgames.population import Discrete, Population, fehr_schmidt
    from sccgames.profiles import (
        EmotionParams,
        HabitParams,
        Horizon,
        LegitimacyParams,
        MoralParams,
        Profile,
        RationalParams,
        SocialParams,
        Weights,
    )
    from sccgames.regimes import NoRegime, SocialCredit
    from sccgames.society import Imitation, RoundState, Society, SocietyResults
    from sccgames.tournament import Tournament, TournamentResults

#: Where each public name lives. They are imported on first use (PEP 562), so that
#: ``import sccgames`` and the command's ``--help`` do not wait for axelrod, scipy and pandas.
_LAZY: dict[str, str] = {
    "Assessment": "sccgames.community",
    "BIBLIOGRAPHY": "sccgames.bibliography",
    "Citizen": "sccgames.agents",
    "Combined": "sccgames.institutions",
    "CommunityReputation": "sccgames.community",
    "ConditionalCooperator": "sccgames.agents",
    "Context": "sccgames.decision",
    "datasets": "sccgames.datasets",
    "Discrete": "sccgames.population",
    "Dynamics": "sccgames.evolution",
    "EmotionParams": "sccgames.profiles",
    "Empath": "sccgames.agents",
    "evolve": "sccgames.evolution",
    "fehr_schmidt": "sccgames.population",
    "FixedPartners": "sccgames.matching",
    "HabitParams": "sccgames.profiles",
    "Habitual": "sccgames.agents",
    "harmony": "sccgames.games",
    "HomoEconomicus": "sccgames.agents",
    "Horizon": "sccgames.profiles",
    "Imitation": "sccgames.society",
    "inference": "sccgames.inference",
    "Ledger": "sccgames.ledger",
    "LegitimacyParams": "sccgames.profiles",
    "LostWallet": "sccgames.games",
    "Match": "sccgames.match",
    "Moralist": "sccgames.agents",
    "MoralParams": "sccgames.profiles",
    "moran_process": "sccgames.evolution",
    "motive_strategies": "sccgames.agents",
    "MotiveAgent": "sccgames.agents",
    "NetworkMatching": "sccgames.matching",
    "NoRegime": "sccgames.regimes",
    "Observation": "sccgames.decision",
    "p_cooperate": "sccgames.decision",
    "payoff_matrices": "sccgames.games",
    "payoff_matrix": "sccgames.evolution",
    "PeerPunishment": "sccgames.institutions",
    "plots": "sccgames.plots",
    "Population": "sccgames.population",
    "prisoners_dilemma": "sccgames.games",
    "Profile": "sccgames.profiles",
    "PublicGoods": "sccgames.games",
    "RandomMatching": "sccgames.matching",
    "RationalParams": "sccgames.profiles",
    "replicator_dynamics": "sccgames.evolution",
    "RoundState": "sccgames.society",
    "run": "sccgames.experiment",
    "Schedule": "sccgames.institutions",
    "signatures": "sccgames.signatures",
    "snowdrift": "sccgames.games",
    "SocialAnimal": "sccgames.agents",
    "SocialCredit": "sccgames.regimes",
    "SocialParams": "sccgames.profiles",
    "Society": "sccgames.society",
    "SocietyResults": "sccgames.society",
    "stag_hunt": "sccgames.games",
    "State": "sccgames.decision",
    "SubgamePerfect": "sccgames.agents",
    "Tournament": "sccgames.tournament",
    "TournamentResults": "sccgames.tournament",
    "TrustGame": "sccgames.games",
    "TwoWallets": "sccgames.games",
    "Weights": "sccgames.profiles",
}


def __getattr__(name: str) -> Any:
    """Import a public name, or a submodule, on first use, then keep it (PEP 562)."""
    module = _LAZY.get(name)
    if module is None and not name.startswith("_") and find_spec(f"sccgames.{name}"):
        module = f"sccgames.{name}"  # ``sccgames.config`` works without importing it
    if module is None:
        raise AttributeError(f"module 'sccgames' has no attribute {name!r}")
    found = importlib.import_module(module)
    value = found if module == f"sccgames.{name}" else getattr(found, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    "BIBLIOGRAPHY",
    "Assessment",
    "Citizen",
    "Combined",
    "CommunityReputation",
    "ConditionalCooperator",
    "Context",
    "Discrete",
    "Dynamics",
    "EmotionParams",
    "Empath",
    "FixedPartners",
    "HabitParams",
    "Habitual",
    "HomoEconomicus",
    "Horizon",
    "Imitation",
    "Ledger",
    "LegitimacyParams",
    "LostWallet",
    "Match",
    "MoralParams",
    "Moralist",
    "MotiveAgent",
    "NetworkMatching",
    "NoRegime",
    "Observation",
    "PeerPunishment",
    "Population",
    "Profile",
    "PublicGoods",
    "RandomMatching",
    "RationalParams",
    "RoundState",
    "Schedule",
    "SocialAnimal",
    "SocialCredit",
    "SocialParams",
    "Society",
    "SocietyResults",
    "State",
    "SubgamePerfect",
    "Tournament",
    "TournamentResults",
    "TrustGame",
    "TwoWallets",
    "Weights",
    "__version__",
    "datasets",
    "evolve",
    "fehr_schmidt",
    "harmony",
    "inference",
    "moran_process",
    "motive_strategies",
    "p_cooperate",
    "payoff_matrices",
    "payoff_matrix",
    "plots",
    "prisoners_dilemma",
    "replicator_dynamics",
    "run",
    "signatures",
    "snowdrift",
    "stag_hunt",
]
