"""sloforge: compile SLO specs into Prometheus rules, Alertmanager routes and Grafana dashboards."""

# Read by pyproject.toml (setuptools dynamic version); a literal, because
# importlib.metadata costs ~0.1 s at every start of a pre-commit hook.
__version__ = "0.1.0"
