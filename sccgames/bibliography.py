"""The one bibliography every docstring cites from.

Docstrings cite a source as ``[<key>]_`` (the numpydoc/axelrod "Names:" convention); a test
checks that every key cited anywhere in the package resolves here.
"""

from __future__ import annotations

import re

BIBLIOGRAPHY: dict[str, str] = {
    "Akaike1974": (
        "Akaike, H. (1974). A new look at the statistical model identification. IEEE "
        "Transactions on Automatic Control 19(6), 716-723."
    ),
    "Andreoni1990": (
        "Andreoni, J. (1990). Impure altruism and donations to public goods: a theory of "
        "warm-glow giving. The Economic Journal 100(401), 464-477."
    ),
    "Armitage1955": (
        "Armitage, P. (1955). Tests for linear trends in proportions and frequencies. "
        "Biometrics 11(3), 375-386."
    ),
    "Axelrod1984": "Axelrod, R. (1984). The Evolution of Cooperation. Basic Books.",
    "Baumeister2001": (
        "Baumeister, R. F., Bratslavsky, E., Finkenauer, C. & Vohs, K. D. (2001). Bad is "
        "stronger than good. Review of General Psychology 5(4), 323-370."
    ),
    "BenabouTirole2006": (
        "Bénabou, R. & Tirole, J. (2006). Incentives and prosocial behavior. American "
        "Economic Review 96(5), 1652-1678."
    ),
    "Berg1995": (
        "Berg, J., Dickhaut, J. & McCabe, K. (1995). Trust, reciprocity, and social history. "
        "Games and Economic Behavior 10(1), 122-142."
    ),
    "Bicchieri2006": (
        "Bicchieri, C. (2006). The Grammar of Society: The Nature and Dynamics of Social "
        "Norms. Cambridge University Press."
    ),
    "BowlesGintis2011": (
        "Bowles, S. & Gintis, H. (2011). A Cooperative Species: Human Reciprocity and Its "
        "Evolution. Princeton University Press."
    ),
    "BowlesPolaniaReyes2012": (
        "Bowles, S. & Polanía-Reyes, S. (2012). Economic incentives and social preferences: "
        "substitutes or complements? Journal of Economic Literature 50(2), 368-425."
    ),
    "Cochran1954": (
        "Cochran, W. G. (1954). Some methods for strengthening the common chi-squared tests. "
        "Biometrics 10(4), 417-451."
    ),
    "Cohn2019": (
        "Cohn, A., Maréchal, M. A., Tannenbaum, D. & Zünd, C. L. (2019). Civic honesty "
        "around the globe. Science 365(6448), 70-73."
    ),
    "DeGroot1974": (
        "DeGroot, M. H. (1974). Reaching a consensus. Journal of the American Statistical "
        "Association 69(345), 118-121."
    ),
    "Dempster1977": (
        "Dempster, A. P., Laird, N. M. & Rubin, D. B. (1977). Maximum likelihood from "
        "incomplete data via the EM algorithm. Journal of the Royal Statistical Society B "
        "39(1), 1-38."
    ),
    "Dufour2006": (
        "Dufour, J.-M. (2006). Monte Carlo tests with nuisance parameters: a general approach"
        " to finite-sample inference and nonstandard asymptotics. Journal of Econometrics "
        "133(2), 443-477."
    ),
    "EfronTibshirani1993": (
        "Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall."
    ),
    "FehrGachter2000": (
        "Fehr, E. & Gächter, S. (2000). Cooperation and punishment in public goods "
        "experiments. American Economic Review 90(4), 980-994."
    ),
    "FehrSchmidt1999": (
        "Fehr, E. & Schmidt, K. M. (1999). A theory of fairness, competition, and "
        "cooperation. Quarterly Journal of Economics 114(3), 817-868."
    ),
    "FischbacherGachter2010": (
        "Fischbacher, U. & Gächter, S. (2010). Social preferences, beliefs, and the dynamics "
        "of free riding in public goods experiments. American Economic Review 100(1), 541-556."
    ),
    "FischbacherGachterFehr2001": (
        "Fischbacher, U., Gächter, S. & Fehr, E. (2001). Are people conditionally "
        "cooperative? Evidence from a public goods experiment. Economics Letters 71(3), "
        "397-404."
    ),
    "Fisher1922": (
        "Fisher, R. A. (1922). On the interpretation of chi-squared from contingency tables, "
        "and the calculation of P. Journal of the Royal Statistical Society 85(1), 87-94."
    ),
    "FreyJegen2001": (
        "Frey, B. S. & Jegen, R. (2001). Motivation crowding theory. Journal of Economic "
        "Surveys 15(5), 589-611."
    ),
    "GneezyRustichini2000": (
        "Gneezy, U. & Rustichini, A. (2000). A fine is a price. Journal of Legal Studies "
        "29(1), 1-17."
    ),
    "Ledyard1995": (
        "Ledyard, J. O. (1995). Public goods: a survey of experimental research. In Kagel, "
        "J. & Roth, A. (eds.), Handbook of Experimental Economics, 111-194. Princeton "
        "University Press."
    ),
    "McFadden1989": (
        "McFadden, D. (1989). A method of simulated moments for estimation of discrete "
        "response models without numerical integration. Econometrica 57(5), 995-1026."
    ),
    "McKelveyPalfrey1995": (
        "McKelvey, R. D. & Palfrey, T. R. (1995). Quantal response equilibria for normal "
        "form games. Games and Economic Behavior 10(1), 6-38."
    ),
    "McLachlanPeel2000": ("McLachlan, G. & Peel, D. (2000). Finite Mixture Models. Wiley."),
    "MillerShenhavLudvig2019": (
        "Miller, K. J., Shenhav, A. & Ludvig, E. A. (2019). Habits without values. "
        "Psychological Review 126(2), 292-311."
    ),
    "Moran1958": (
        "Moran, P. A. P. (1958). Random processes in genetics. Mathematical Proceedings of "
        "the Cambridge Philosophical Society 54(1), 60-71."
    ),
    "Nowak2004": (
        "Nowak, M. A., Sasaki, A., Taylor, C. & Fudenberg, D. (2004). Emergence of "
        "cooperation and evolutionary stability in finite populations. Nature 428, 646-650."
    ),
    "NowakSigmund1998": (
        "Nowak, M. A. & Sigmund, K. (1998). Evolution of indirect reciprocity by image "
        "scoring. Nature 393, 573-577."
    ),
    "OhtsukiIwasa2004": (
        "Ohtsuki, H. & Iwasa, Y. (2004). How should we define goodness? Reputation dynamics "
        "in indirect reciprocity. Journal of Theoretical Biology 231(1), 107-120."
    ),
    "Putnam2000": (
        "Putnam, R. D. (2000). Bowling Alone: The Collapse and Revival of American "
        "Community. Simon & Schuster."
    ),
    "Sally1995": (
        "Sally, D. (1995). Conversation and cooperation in social dilemmas: a meta-analysis "
        "of experiments from 1958 to 1992. Rationality and Society 7(1), 58-92."
    ),
    "Schwarz1978": (
        "Schwarz, G. (1978). Estimating the dimension of a model. The Annals of Statistics "
        "6(2), 461-464."
    ),
    "SelfLiang1987": (
        "Self, S. G. & Liang, K.-Y. (1987). Asymptotic properties of maximum likelihood "
        "estimators and likelihood ratio tests under nonstandard conditions. Journal of the "
        "American Statistical Association 82(398), 605-610."
    ),
    "SilvapulleSen2005": (
        "Silvapulle, M. J. & Sen, P. K. (2005). Constrained Statistical Inference: "
        "Inequality, Order, and Shape Restrictions. Wiley."
    ),
    "Sobol1967": (
        "Sobol', I. M. (1967). On the distribution of points in a cube and the approximate "
        "evaluation of integrals. USSR Computational Mathematics and Mathematical Physics "
        "7(4), 86-112."
    ),
    "TaylorJonker1978": (
        "Taylor, P. D. & Jonker, L. B. (1978). Evolutionarily stable strategies and game "
        "dynamics. Mathematical Biosciences 40(1-2), 145-156."
    ),
    "TraulsenShoreshNowak2008": (
        "Traulsen, A., Shoresh, N. & Nowak, M. A. (2008). Analytical results for individual "
        "and group selection of any intensity. Bulletin of Mathematical Biology 70(5), "
        "1410-1424."
    ),
    "Vuong1989": (
        "Vuong, Q. H. (1989). Likelihood ratio tests for model selection and non-nested "
        "hypotheses. Econometrica 57(2), 307-333."
    ),
    "Weibull1995": "Weibull, J. W. (1995). Evolutionary Game Theory. MIT Press.",
    "Wilcoxon1945": (
        "Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin "
        "1(6), 80-83."
    ),
}

CITATION = re.compile(r"\[([A-Za-z][A-Za-z0-9]+)\]_")


def cited_keys(text: str) -> set[str]:
    """Return the bibliography keys cited as ``[<key>]_`` in ``text``."""
    return set(CITATION.findall(text or ""))


def reference(key: str) -> str:
    """Return the full reference for ``key``.

    Raises
    ------
    KeyError
        If ``key`` is not in :data:`BIBLIOGRAPHY`; the message lists the known keys.

    """
    try:
        return BIBLIOGRAPHY[key]
    except KeyError:
        known = ", ".join(sorted(BIBLIOGRAPHY))
        raise KeyError(f"unknown bibliography key {key!r}; known keys: {known}") from None
