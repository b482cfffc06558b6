r"""The paper's two models and its printed closed forms.

- The single qubit of Section 5: eqs. (5.1)-(5.20) (implemented in ``qrmlib/_models_qubit.py``).
- The three-qubit chain A-C-B of Section 8: eqs. (8.1)-(8.36)
  (implemented in ``qrmlib/_models_chain.py``).

A printed formula that the numerics refute is kept as printed (suffix
``_printed``) next to the form that holds; ``book/errata.ipynb`` records each.
"""

from ._models_chain import *  # noqa: F401,F403
from ._models_chain import __all__ as _chain_all
from ._models_qubit import *  # noqa: F401,F403
from ._models_qubit import __all__ as _qubit_all

__all__ = list(_qubit_all) + list(_chain_all)
