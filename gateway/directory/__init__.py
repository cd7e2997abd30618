"""The core directory: organisations, learners, roles and competencies."""
