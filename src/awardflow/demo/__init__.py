"""Demo data for the five seed campaigns (``awardflow demo load``); see ``builder``."""
