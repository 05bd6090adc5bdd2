"""Risk-tier triage: a system profile in, a cited classification out. Deterministic rules decide; a
language model may only help fill in the profile."""
