"""The passbook's part of the learner graph (types, root fields, Learner fields)."""
