"""The plan's member roster in: the monthly eligibility extract loaded as a complete roster (exchange-spec §1)."""
