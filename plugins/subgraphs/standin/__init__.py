"""``karmayogi demo subgraph``: a small Federation 2 subgraph (a state HRMS)."""
