"""`sloforge lint --prometheus URL`: the SLIs' own queries against live data, before the SLOs ship."""
