"""awardflow: award approvals for Vietnamese emulation campaigns."""
