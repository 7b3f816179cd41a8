"""Reports: plots and self-contained HTML for people and clinicians."""
