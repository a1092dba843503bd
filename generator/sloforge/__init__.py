"""sloforge: compile SLO specs into Prometheus rules, Alertmanager routes and Grafana dashboards."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sloforge")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+source"
