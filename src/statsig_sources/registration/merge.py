"""What an update sends: what Statsig holds, merged with what is declared.

An update must not lose what someone set in Statsig's console and the declaration does not manage
(a metric's cap, winsorization, CUPED attribution window or bake days; a source's date partition
column, team or verified flag). Statsig does not say which fields an update leaves alone, and it does
not leave all of them: a metric update replaces `warehouseNative` as a whole, and a metric-source
update requires the query and its mappings, like a replacement. So every update sends the whole
object, built here:

- each field of the remote object that Statsig's update schema names (`MetricSourceUpdateContractDto`,
  `MetricsUpdateContractDto` and its `warehouseNative`, in the OpenAPI document) and the declaration
  does not manage, exactly as Statsig holds it;
- each field the declaration manages, as declared. A managed field the declaration leaves empty on
  purpose (no custom fields, no table name for a query source, no percentile after a metric stops
  being one) is cleared, never kept from the remote;
- where a declared value means the same as the remote's (tags in another order, an owner Statsig
  completed with its id, a criterion carrying Statsig's `nullVacuousOverride`), the remote's own
  value, so the update changes nothing that the plan does not show.

A list is one value: a declared list replaces the remote one (criteria are matched one by one only to
keep Statsig's spelling of those that are the same). A field the document does not name is neither
sent nor compared. The kinds supply what they manage and what "the same" means: sources.py for sources,
metrics.py for metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from statsig_sources.statsig.schema import field_names

# The fields an update may carry, from the OpenAPI document. `name` is the identity, named by the
# update's path and never sent in its body; `dryRun` is a request flag, not a field of the object.
SOURCE_FIELDS = field_names("MetricSourceUpdateContractDto") - {"dryRun", "name"}
METRIC_FIELDS = field_names("MetricsUpdateContractDto") - {"dryRun", "name"}
NATIVE_FIELDS = field_names("MetricsUpdateContractDto", "warehouseNative")

# spelled(key, declared, remote) -> the value to send: the remote's when it means the same.
Spelled = Callable[[str, Any, Any], Any]


def merge(
    declared: Mapping[str, Any],
    remote: Mapping[str, Any],
    *,
    fields: Collection[str],
    managed: Collection[str],
    spelled: Spelled,
    cleared: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The declared fields (in their order, each in the remote's spelling when it means the same),
    then, sorted by name, the empty value of each `cleared` field the declaration leaves out and
    every remote field among `fields` that is not `managed` (null ones are Statsig's absent ones)."""
    merged = {
        key: spelled(key, value, remote[key]) if remote.get(key) is not None else value
        for key, value in declared.items()
    }
    carried = {
        key: value
        for key, value in remote.items()
        if key in fields and key not in managed and key not in declared and value is not None
    }
    carried |= {key: value for key, value in (cleared or {}).items() if key not in declared}
    return merged | dict(sorted(carried.items()))


def same_or_declared(same: Callable[[str, Any, Any], bool]) -> Spelled:
    """A `spelled` that sends the remote's value whenever `same(key, declared, remote)`."""

    def spelled(key: str, declared: Any, remote: Any) -> Any:
        return remote if same(key, declared, remote) else declared

    return spelled


def is_empty(value: Any) -> bool:
    """Null, empty text, an empty list or object: what Statsig may answer for a field it does not hold."""
    return value is None or (isinstance(value, str | list | dict) and not value)
