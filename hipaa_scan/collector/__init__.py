"""Live collection from Azure and Microsoft Entra ID: the only code that
imports azure. Its output is a snapshot document in the project's own format,
which the scanner reads like any other input.

Nothing is imported here: an offline scan imports ``collector.clouds`` for
the CLI's choices and must never pay for (or depend on) the Azure SDK.
"""
