"""What the apps above `deals` provide to it (see prm/core/registry.py).

`registration_gates`: functions `(organization, motion) -> list[str]` returning why this
partner may not register deals in this motion (in words for the partner; empty when it
may). The agreement gate of `partners` is checked first by the deal services; a higher
app adds its own rule here (enablement: a learning path required for the motion).
A provider may also carry `for_motions`, `(organization, motions) -> {motion pk:
list[str]}`, the same answer for several motions at once, which the registration gate
(every motion the partner may use, on each page that offers "Register a deal") calls
instead of the provider once per motion.
"""

from prm.core.registry import Registry

registration_gates: Registry = Registry("deal registration gates")
