"""Sovereign clouds and custom endpoints: where to sign in, where ARM and
Microsoft Graph live, and which token audience each expects."""

from __future__ import annotations

from dataclasses import dataclass

from hipaa_scan.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Cloud:
    name: str
    authority_host: str
    arm_endpoint: str
    graph_endpoint: str

    @property
    def arm_scope(self) -> str:
        return f"{self.arm_endpoint}/.default"

    @property
    def graph_scope(self) -> str:
        return f"{self.graph_endpoint}/.default"

    @property
    def well_known(self) -> bool:
        """Microsoft's own authorities; anything else skips instance discovery,
        which only login.microsoftonline.com can answer."""
        return any(self.authority_host == c.authority_host for c in CLOUDS.values())


# Endpoints as Microsoft documents them for each national cloud
# (learn.microsoft.com/graph/deployments, azure-identity AzureAuthorityHosts).
CLOUDS: dict[str, Cloud] = {
    "AzureCloud": Cloud(
        "AzureCloud", "https://login.microsoftonline.com", "https://management.azure.com", "https://graph.microsoft.com"
    ),
    "AzureUSGovernment": Cloud(
        "AzureUSGovernment",
        "https://login.microsoftonline.us",
        "https://management.usgovcloudapi.net",
        "https://graph.microsoft.us",
    ),
    "AzureChinaCloud": Cloud(
        "AzureChinaCloud",
        "https://login.chinacloudapi.cn",
        "https://management.chinacloudapi.cn",
        "https://microsoftgraph.chinacloudapi.cn",
    ),
}


def resolve_cloud(
    name: str, *, arm_endpoint: str | None = None, authority_host: str | None = None, graph_endpoint: str | None = None
) -> Cloud:
    """A named cloud, with any endpoint overridden for a private cloud."""
    base = CLOUDS.get(name)
    if base is None:
        raise ConfigError(f"--cloud {name!r}: choose from {', '.join(CLOUDS)}")
    overrides = {"arm_endpoint": arm_endpoint, "authority_host": authority_host, "graph_endpoint": graph_endpoint}
    for option, value in overrides.items():
        if value and not value.startswith("https://"):
            raise ConfigError(f"--{option.replace('_', '-')} {value!r}: must be an https:// URL")
    custom = any(overrides.values())
    return Cloud(
        name=f"{name} (custom endpoints)" if custom else name,
        authority_host=(authority_host or base.authority_host).rstrip("/"),
        arm_endpoint=(arm_endpoint or base.arm_endpoint).rstrip("/"),
        graph_endpoint=(graph_endpoint or base.graph_endpoint).rstrip("/"),
    )
