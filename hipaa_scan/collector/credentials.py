"""Authentication through azure-identity's DefaultAzureCredential: az login,
managed identity, workload identity (OIDC in CI) or a service principal from
the environment. Nothing here stores or logs a credential."""

from __future__ import annotations

from azure.core.credentials import TokenCredential
from azure.identity import DefaultAzureCredential

from hipaa_scan.collector.clouds import Cloud


def make_credential(cloud: Cloud) -> TokenCredential:
    return DefaultAzureCredential(
        authority=cloud.authority_host,
        # Instance discovery asks login.microsoftonline.com about the authority;
        # a private cloud's authority is not known there.
        disable_instance_discovery=not cloud.well_known,
        exclude_interactive_browser_credential=True,
    )
