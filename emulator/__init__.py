"""A local Azure + Microsoft Entra ID + Microsoft Graph emulator over HTTPS on
loopback, for testing hipaa-scan's live collector with the real Azure SDKs.

Not part of the hipaa-scan wheel. Run ``python -m emulator --help``.
"""

from emulator.server import AzureEmulator, Knobs, Recorded
from emulator.tenant import Subscription, Tenant, load_tenant, synthetic_tenant

__all__ = ["AzureEmulator", "Knobs", "Recorded", "Subscription", "Tenant", "load_tenant", "synthetic_tenant"]
