"""Money arithmetic: integer minor units only, shares rounded half-even (banker's rounding).

No floats anywhere: a share is computed as an exact fraction of integers and rounded once,
so the same inputs give the same cents on every machine.
"""

from __future__ import annotations

BASIS_POINTS = 10_000  # 100 % in basis points


def half_even_share(amount: int, numerator: int, denominator: int) -> int:
    """amount × numerator / denominator, rounded half to even (ValueError if denominator ≤ 0).

    Commission of a line: half_even_share(line_amount, rate_bp, 10_000); commission returned
    by a refund: half_even_share(line_commission, refunded_amount, line_amount).
    """
    if denominator <= 0:
        raise ValueError("the denominator of a share must be positive")
    product = amount * numerator
    quotient, remainder = divmod(product, denominator)  # floor division, remainder >= 0
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def commission_of(line_amount: int, rate_bp: int) -> int:
    """The platform's commission on a line: its rate in basis points, half-even per line."""
    if not 0 <= rate_bp <= BASIS_POINTS:
        raise ValueError("a commission rate is 0..10000 basis points")
    return half_even_share(line_amount, rate_bp, BASIS_POINTS)
