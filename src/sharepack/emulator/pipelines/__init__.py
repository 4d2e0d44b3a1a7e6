"""The Pipelines API: pipelines, their updates and events, and the checks of their libraries."""
