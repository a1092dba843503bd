"""sloforge: compile SLO specs into Prometheus rules, Alertmanager routes and Grafana dashboards."""

# Read by pyproject.toml (setuptools dynamic version); a literal, because
# importlib.metadata costs ~0.1 s at every start of a pre-commit hook.
__version__ = "0.1.0"
# Where sloforge is published: `sloforge init` pins scaffolded repositories to this
# repository at the tag of the running version (`v` + __version__) unless told otherwise.
__source__ = "https://github.com/sloforge/sloforge"
