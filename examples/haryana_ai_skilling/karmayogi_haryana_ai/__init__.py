"""Haryana AI skilling: an example state module for the Karmayogi gateway."""

__version__ = "0.1.0"
