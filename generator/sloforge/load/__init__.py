"""Input formats: each claims documents by apiVersion/kind and maps them into the model.

A format is a module with `NAME`, `claims(document) -> bool` and
`services_from(documents) -> (services, problems)`; adding one is one module and
one line in FORMATS. A format may also define `transform(documents, services) ->
(services, problems)`, run after every format has produced its services (e.g.
BudgetPolicy documents that fill in the budget policy of a team's SLOs).
"""

from __future__ import annotations

from types import ModuleType

from sloforge.load import budget_policy, native_format

FORMATS: list[ModuleType] = [native_format, budget_policy]
