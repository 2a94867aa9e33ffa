"""The columns of the provider files, exactly as exchange-spec §2 names them and in their export order.

Import matches these names case-insensitively, ignoring surrounding spaces and runs of inner spaces
(`header_key`); export writes them as they are here. Pure Python: the reader and the writers share it.
"""

from __future__ import annotations

import re

MIF_COLUMNS: tuple[str, ...] = (
    "Primary Payer (MCP) Identifier",
    "MCP Name",
    "Member Client Index Number (CIN)",
    "Member Last Name",
    "Member First Name",
    "Member Date of Birth",
    "Member Sex",
    "Member Preferred Language",
    "Member Homelessness Indicator",
    "Member Residential Address",
    "Member Residential City",
    "Member Residential State",
    "Member Residential Zip",
    "Member Phone Number",
    "Member POF",
    "ECM Authorization ID",
    "ECM Benefit Authorization Effective Date",
    "ECM Benefit Authorization End Date",
    "Member Record Status",
    "Member Plan Enrollment End Date",
    "PCP Name",
    "PCP NPI",
    "ECM Provider Name",
    "ECM Provider National Provider Identifier (NPI)",
    "ECM Provider Tax ID Number (TIN)",
    "Member Information File Reporting Period",
    "Member Information File Production Date",
)

RTF_COLUMNS: tuple[str, ...] = (
    "Primary Payer (MCP) Identifier",  # 1
    "MCP Name",
    "Member Client Index Number (CIN)",
    "Member Last Name",
    "Member First Name",  # 5
    "Member New Address Indicator",
    "Member Homelessness Indicator",
    "Member Residential Address",
    "Member Residential City",
    "Member Residential State",  # 10
    "Member Residential Zip",
    "Member New Phone Number Indicator",
    "Member Phone Number",
    "Member POF Indicator",
    "Member POF",  # 15
    "Member ECM Status",
    "Member Acuity Level",
    "ECM Enrollment Start Date",
    "ECM Enrollment End Date",
    "Date of Latest Care Plan Revision",  # 20
    "Date of Most Recent Care Conference",
    "Date Assessment Started",
    "Date of Most Recent Completed Assessment",
    "Date of Most Recent Encounter with Member",
    "ECM Lead Care Manager Name",  # 25
    "ECM Lead Care Manager Name Phone Number",
    "ECM Lead Care Manager Email",
    "Discontinuation Date",
    "Discontinuation Reason Code",
    "Discontinuation Reason",  # 30
    "In Person",
    "Telephonic/Video",
    "Member Information Return Transmission File Production Date",
    "Member Information File Reporting Period",
    "ECM Provider Name",  # 35
    "ECM Provider National Provider Identifier (NPI)",
    "ECM Provider Tax ID Number (TIN)",
    "ECM Provider Phone Number",
    "Referral Status",
    "Date of Referral Status Update",  # 40
    "Reason for Referral Loop Closure",
)
RTF_REQUIRED: tuple[str, ...] = ("Member Client Index Number (CIN)", "ECM Provider National Provider Identifier (NPI)")

OTF_COLUMNS: tuple[str, ...] = (
    "Primary Payer (MCP) Identifier",
    "MCP Name",
    "ECM Provider Name",
    "ECM Provider National Provider Identifier (NPI)",
    "ECM Provider Tax ID Number (TIN)",
    "Client Name",
    "Member Client Index Number",
    "Provider Type",
    "Date of Outreach Attempt",
    "Outreach Attempt Method",
    "Outreach Attempt Successful",
    "Time Spent Performing Outreach",
)
# Each OTF row is one attempt: who, when, how and whether it reached the member.
OTF_REQUIRED: tuple[str, ...] = (
    "ECM Provider National Provider Identifier (NPI)",
    "Member Client Index Number",
    "Date of Outreach Attempt",
    "Outreach Attempt Method",
    "Outreach Attempt Successful",
    "Time Spent Performing Outreach",
)

COLUMNS: dict[str, tuple[str, ...]] = {"mif": MIF_COLUMNS, "rtf": RTF_COLUMNS, "otf": OTF_COLUMNS}
REQUIRED: dict[str, tuple[str, ...]] = {"rtf": RTF_REQUIRED, "otf": OTF_REQUIRED}

_SPACES = re.compile(r"\s+")


def header_key(name: str) -> str:
    """A header as the contract compares it: case-folded, trimmed, inner runs of spaces made one."""
    return _SPACES.sub(" ", name.strip().lstrip("\ufeff")).casefold()
