"""drgen: generate and keep up to date a verified multi-region disaster-recovery stack on AWS."""

__version__ = "0.2.0"
