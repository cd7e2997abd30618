"""The Competency Passbook: enrolments, certificates, plans (see the passbook issue)."""

__version__ = "0.1.0"
