"""The Jobs API: jobs, their runs, and the checks their settings must pass."""
