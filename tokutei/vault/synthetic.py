"""Synthetic people for the vault's demo and tests: the one generator is :mod:`tokutei.core.synthetic`
(these names stay importable from here)."""

from tokutei.core.synthetic import (  # noqa: F401
    CITIES,
    FAMILY,
    FEMALE,
    MALE,
    ORG_PREFECTURES,
    SPACE,
    STRIDE,
    TOWNS,
    WEIGHTS,
    batches,
    people,
    prefecture_for,
    with_check_digit,
)
