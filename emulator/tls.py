"""TLS for the emulator: a throwaway CA (trustme) and one server certificate
for ``127.0.0.1`` and ``localhost``, shared by the three servers.

Clients trust the CA through ``REQUESTS_CA_BUNDLE`` / ``SSL_CERT_FILE`` pointing
at the PEM file written here, exactly as they would trust a corporate proxy CA:
nothing in the client disables certificate verification.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

CA_FILE = "ca.pem"
HOSTS = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class TlsMaterial:
    ca: trustme.CA
    leaf: trustme.LeafCert
    ca_path: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.leaf.configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts only the emulator CA (for tests)."""
        return ssl.create_default_context(cafile=str(self.ca_path))


def create_tls(state_dir: Path) -> TlsMaterial:
    """Make a CA and a server certificate; write the CA PEM to ``state_dir/ca.pem``."""
    state_dir.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="hipaa-scan Azure emulator")
    leaf = ca.issue_cert(*HOSTS)
    ca_path = state_dir / CA_FILE
    ca.cert_pem.write_to_path(str(ca_path))
    return TlsMaterial(ca=ca, leaf=leaf, ca_path=ca_path)
