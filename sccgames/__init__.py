"""sccgames: a behavioural game theory sandbox for social credit systems.

Agents act from five motives (rational calculation, habit, moral norm, emotion, evolved
sociality) and meet under incentive regimes that watch, score, reward and fine; the package
asks what happens to cooperation and trust, and whether a purely rational model explains it.

>>> import sccgames as scc
>>> [cls.name for cls in scc.motive_strategies][:2]
['Homo Economicus', 'Subgame Perfect']

The package is laid out in layers, each a subpackage:

- ``sccgames.model``: the motives, the decision rule, profiles, agents and populations;
- ``sccgames.rules``: the rules of interaction, games and regimes (institutions, matching,
  community reputation);
- ``sccgames.engines``: matches, tournaments, the vectorized society, evolution, measures;
- ``sccgames.experiments``: experiment files, run folders, sweeps and plots;
- ``sccgames.inference``: likelihoods, fits, model comparison, datasets and findings.

Every public name (and every module, as ``scc.config``) is imported on first use (PEP 562),
so that ``import sccgames`` is instant and the command answers ``--help`` without waiting
for axelrod. Modules keep their names from before the layers (``scc.config``,
``import sccgames.games``; see ``sccgames._moved``).
"""

from __future__ import annotations

import importlib
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from sccgames._moved import _MOVED, install

install()  # old module paths (``sccgames.games``) import the moved modules, with a warning

if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from sccgames import inference
    from sccgames.bibliography import BIBLIOGRAPHY
    from sccgames.engines.evolution import (
        Dynamics,
        evolve,
        moran_process,
        replicator_dynamics,
    )
    from sccgames.engines.ledger import Ledger
    from sccgames.engines.match import Match
    from sccgames.engines.metrics import payoff_matrix
    from sccgames.engines.society import (
        Imitation,
        RoundState,
        Society,
        SocietyResults,
        WordOfMouth,
    )
    from sccgames.engines.tournament import Tournament, TournamentResults
    from sccgames.experiments import plots
    from sccgames.experiments.experiment import run
    from sccgames.inference import datasets, signatures
    from sccgames.inference.stakes import stakes_study
    from sccgames.model.agents import (
        Citizen,
        ConditionalCooperator,
        Empath,
        Habitual,
        HomoEconomicus,
        Moralist,
        MotiveAgent,
        ReputationAware,
        SocialAnimal,
        SubgamePerfect,
        motive_strategies,
    )
    from sccgames.model.decision import Context, Observation, State, p_cooperate
    from sccgames.model.population import Discrete, Population, fehr_schmidt
    from sccgames.model.profiles import (
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
    from sccgames.rules.community import Assessment, CommunityReputation
    from sccgames.rules.games import (
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
    from sccgames.rules.institutions import Combined, PeerPunishment, Schedule
    from sccgames.rules.matching import FixedPartners, NetworkMatching, RandomMatching
    from sccgames.rules.regimes import NoRegime, SocialCredit

#: Where each public name lives. They are imported on first use (PEP 562), so that
#: ``import sccgames`` and the command's ``--help`` do not wait for axelrod, scipy and pandas.
#: A path ending in the name itself is that module (``scc.datasets``).
_LAZY: dict[str, str] = {
    "Assessment": "sccgames.rules.community",
    "BIBLIOGRAPHY": "sccgames.bibliography",
    "Citizen": "sccgames.model.agents",
    "Combined": "sccgames.rules.institutions",
    "CommunityReputation": "sccgames.rules.community",
    "ConditionalCooperator": "sccgames.model.agents",
    "Context": "sccgames.model.decision",
    "datasets": "sccgames.inference.datasets",
    "Discrete": "sccgames.model.population",
    "Dynamics": "sccgames.engines.evolution",
    "EmotionParams": "sccgames.model.profiles",
    "Empath": "sccgames.model.agents",
    "evolve": "sccgames.engines.evolution",
    "fehr_schmidt": "sccgames.model.population",
    "FixedPartners": "sccgames.rules.matching",
    "HabitParams": "sccgames.model.profiles",
    "Habitual": "sccgames.model.agents",
    "harmony": "sccgames.rules.games",
    "HomoEconomicus": "sccgames.model.agents",
    "Horizon": "sccgames.model.profiles",
    "Imitation": "sccgames.engines.society",
    "WordOfMouth": "sccgames.engines.society",
    "inference": "sccgames.inference",
    "Ledger": "sccgames.engines.ledger",
    "LegitimacyParams": "sccgames.model.profiles",
    "LostWallet": "sccgames.rules.games",
    "Match": "sccgames.engines.match",
    "Moralist": "sccgames.model.agents",
    "MoralParams": "sccgames.model.profiles",
    "moran_process": "sccgames.engines.evolution",
    "motive_strategies": "sccgames.model.agents",
    "MotiveAgent": "sccgames.model.agents",
    "NetworkMatching": "sccgames.rules.matching",
    "NoRegime": "sccgames.rules.regimes",
    "Observation": "sccgames.model.decision",
    "p_cooperate": "sccgames.model.decision",
    "payoff_matrices": "sccgames.rules.games",
    "payoff_matrix": "sccgames.engines.metrics",
    "PeerPunishment": "sccgames.rules.institutions",
    "plots": "sccgames.experiments.plots",
    "Population": "sccgames.model.population",
    "prisoners_dilemma": "sccgames.rules.games",
    "Profile": "sccgames.model.profiles",
    "PublicGoods": "sccgames.rules.games",
    "RandomMatching": "sccgames.rules.matching",
    "RationalParams": "sccgames.model.profiles",
    "replicator_dynamics": "sccgames.engines.evolution",
    "RoundState": "sccgames.engines.society",
    "run": "sccgames.experiments.experiment",
    "Schedule": "sccgames.rules.institutions",
    "signatures": "sccgames.inference.signatures",
    "snowdrift": "sccgames.rules.games",
    "SocialAnimal": "sccgames.model.agents",
    "SocialCredit": "sccgames.rules.regimes",
    "SocialParams": "sccgames.model.profiles",
    "Society": "sccgames.engines.society",
    "SocietyResults": "sccgames.engines.society",
    "stag_hunt": "sccgames.rules.games",
    "stakes_study": "sccgames.inference.stakes",
    "State": "sccgames.model.decision",
    "ReputationAware": "sccgames.model.agents",
    "SubgamePerfect": "sccgames.model.agents",
    "Tournament": "sccgames.engines.tournament",
    "TournamentResults": "sccgames.engines.tournament",
    "TrustGame": "sccgames.rules.games",
    "TwoWallets": "sccgames.rules.games",
    "Weights": "sccgames.model.profiles",
}


def __getattr__(name: str) -> Any:
    """Import a public name, or a submodule, on first use, then keep it (PEP 562)."""
    module = _LAZY.get(name)
    if module is None and not name.startswith("_"):
        if name in _MOVED:  # a module path before the layers: ``scc.config``
            module = _MOVED[name]
        elif find_spec(f"sccgames.{name}"):  # ``scc.engines`` works without importing it
            module = f"sccgames.{name}"
    if module is None:
        raise AttributeError(f"module 'sccgames' has no attribute {name!r}")
    found = importlib.import_module(module)
    value = found if module.rpartition(".")[2] == name else getattr(found, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {n for n in _MOVED if not n.startswith("_")})


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
    "ReputationAware",
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
    "WordOfMouth",
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
    "stakes_study",
]
