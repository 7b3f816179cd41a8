"""Cohort-scale analysis of many recordings on Dask."""
