"""Every query of awardflow lives in this package; services compose these functions."""
