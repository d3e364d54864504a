"""patroon.analysis — cross-case results computed from the derived frames, never typed in.

Owns: per-case tables, the general building blocks (cross-tabs, matrices, thresholds, top-k, continuum),
cross-case patterns and the expectations as predicted-versus-observed patterns, crisp-set QCA (`qca`,
with its exact minimisation in `qca_minimise`), intercoder agreement, reconciliation of two codings, and
the reproduction register.

May import: `patroon.data`, `patroon.output`.
"""
