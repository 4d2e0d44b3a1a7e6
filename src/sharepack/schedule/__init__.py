"""The schedule language: cron (Quartz and 5-field), presets, intervals, one-time and event triggers.

Pure code with no I/O. `forms` holds the pydantic models the spec embeds; the other modules hold
the cron engine and the mapping onto Databricks Jobs settings.
"""
