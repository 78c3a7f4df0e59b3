# Run: python3 libs/outcomes/src/paired-change.check.py  (needs SciPy). Prints the values pinned in paired-change.spec.ts.
# Independent check of Newcombe (1998) method 10 for paired proportions.
# Wilson limits found by root-finding the score equation (not the closed form), McNemar by scipy.
import sys
from scipy.optimize import brentq
from scipy.stats import norm, binomtest
z = norm.ppf(0.975)
def wilson_root(x, n):
    p = x / n
    f = lambda pi: (p - pi) ** 2 - z * z * pi * (1 - pi) / n
    lo = 0.0 if x == 0 else brentq(f, 1e-15, min(p, 1 - 1e-12))
    hi = 1.0 if x == n else brentq(f, max(p, 1e-12), 1 - 1e-15)
    return lo, hi
def newcombe10(a, b, c, d):
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_root(a + b, n); l2, u2 = wilson_root(a + c, n)
    e, f, g, h = a + b, c + d, a + c, b + d
    if 0 in (e, f, g, h):
        phi = 0.0
    else:
        A = a * d - b * c
        num = A - n / 2 if A > n / 2 else (0 if A >= 0 else A)
        phi = num / (e * f * g * h) ** 0.5
    D = p1 - p2
    dl = ((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2) ** 0.5
    du = ((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2) ** 0.5
    return D, D - dl, D + du
# tables as (a=both, b=first only, c=second only, d=neither)
for t in [(20, 12, 2, 16), (7, 25, 2, 68), (8, 3, 1, 2), (59, 6, 16, 80), (1, 1, 7, 12), (14, 5, 0, 22), (10, 15, 5, 20), (120, 160, 23, 48), (0, 0, 0, 9), (3, 0, 0, 0), (0, 4, 0, 0), (2, 7, 1, 30), (5, 5, 5, 5)]:
    a, b, c, d = t
    D, L, U = newcombe10(a, b, c, d)
    p = binomtest(min(b, c), b + c, 0.5).pvalue if b + c else 1.0
    print(t, "D=%.15g L=%.15g U=%.15g p=%.15g" % (D, L, U, p))
