"""`sloforge plan`: what a spec change does to budgets, alerts, routing and the metric contract."""
