"""The workspace's one user: who creates and owns everything, and SCIM's Me."""

from __future__ import annotations

from typing import Any

USER = "local@sharepack.dev"


def me() -> dict[str, Any]:
    """SCIM's Me in a workspace's shape: the Databricks CLI reads userName (its home folder),
    and tells a service principal from a user by it."""
    return {
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:workspace:2.0:User",
        ],
        "id": "1",
        "userName": USER,
        "displayName": "Local User",
        "name": {"givenName": "Local", "familyName": "User"},
        "active": True,
        "emails": [{"type": "work", "value": USER, "primary": True}],
        "groups": [{"display": "users", "type": "direct", "value": "2", "$ref": "Groups/2"}],
    }
