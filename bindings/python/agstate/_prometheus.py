"""A prometheus_client collector over a registry's metrics (prometheus_client is an optional dependency)."""
from __future__ import annotations

from typing import Any, Iterator


class RegistryCollector:
    """Reads the registry's Prometheus text at each scrape and yields its families, so that
    ``prometheus_client.REGISTRY.register(registry.prometheus_collector())`` exposes them."""

    def __init__(self, registry: Any) -> None:
        from prometheus_client.parser import text_string_to_metric_families  # noqa: F401 (checks the package)

        self._registry = registry

    def collect(self) -> Iterator[Any]:
        from prometheus_client.parser import text_string_to_metric_families

        yield from text_string_to_metric_families(self._registry.metrics_text())
