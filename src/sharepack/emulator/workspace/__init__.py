"""The Workspace API: files, notebooks and folders."""
