"""hipaa-scan: check an Azure estate against the HIPAA Security Rule."""

__version__ = "0.1.0"
