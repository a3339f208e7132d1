"""sccgames: a behavioural game theory sandbox for social credit systems.

Agents act from five motives (rational calculation, habit, moral norm, emotion, evolved
sociality) and meet under incentive regimes that watch, score, reward and fine; the package
asks what happens to cooperation and trust, and whether a purely rational model explains it.

>>> import sccgames as scc
>>> [cls.name for cls in scc.motive_strategies][:2]
['Homo Economicus', 'Subgame Perfect']
"""

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
from sccgames.evolution import Dynamics, evolve, moran_process, payoff_matrix, replicator_dynamics
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
