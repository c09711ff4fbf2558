"""Phalanx app metrics: every measurement and event is its own InfluxDB point, shipped by
a background thread to the MetricsStack's Telegraf listener. Standard library only.

    from lsst_metrics import MetricsClient, MeterProvider, EventManager

See docs/client-python.md.
"""

from ._client import MetricsClient
from ._config import ConfigurationError, Settings
from ._points import PointError
from ._stats import ClientStatistics
from .events import EventManager, EventPublisher, EventTypeError, MockEventManager, MockEventPublisher
from .metrics import MeterProvider, NoOpMeterProvider

__all__ = [
    "ClientStatistics",
    "ConfigurationError",
    "EventManager",
    "EventPublisher",
    "EventTypeError",
    "MeterProvider",
    "MetricsClient",
    "MockEventManager",
    "MockEventPublisher",
    "NoOpMeterProvider",
    "PointError",
    "Settings",
]

__version__ = "0.1.0"
