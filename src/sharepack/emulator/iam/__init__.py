"""Identity and access: the workspace's one user (SCIM's Me) and the Permissions API of jobs and
pipelines."""
