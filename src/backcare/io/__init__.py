"""File adapters for core data: PostureSeries as Parquet, tables as CSV."""
