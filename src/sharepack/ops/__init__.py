"""Day-2 operations on what a SharePack deployed: status, run, pause/resume, history, backfill, export."""
