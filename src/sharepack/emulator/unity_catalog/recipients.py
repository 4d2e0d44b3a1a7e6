"""Delta Sharing recipients (Unity Catalog 2.1): Databricks-to-Databricks and open (token) ones."""

from __future__ import annotations

import ipaddress
import re
import secrets
import uuid
from typing import Any

from sharepack.emulator.errors import invalid
from sharepack.emulator.unity_catalog.metastore import Uc, already_exists, check_name, page, rename
from sharepack.emulator.unity_catalog.shares import missing_recipient

AUTH_TYPES = ("TOKEN", "DATABRICKS")
# The SDK's IpAccessList docs: "Allowed IP Addresses in CIDR notation. Limit of 100."
MAX_IPS = 100
_GLOBAL_ID = re.compile(
    r"^([a-z]+):([a-z0-9-]+):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


def _recipient(uc: Uc, name: str) -> dict[str, Any]:
    recipient = uc.get("uc_recipients", name)
    if recipient is None:
        raise missing_recipient(name)
    return recipient


def _token(uc: Uc, expiration_time: Any) -> dict[str, Any]:
    now = uc.store.now()
    token: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "activation_url": f"{uc.base_url}/delta_sharing/retrieve_config.html?{secrets.token_urlsafe(24)}",
        "created_at": now,
        "created_by": uc.user,
        "updated_at": now,
        "updated_by": uc.user,
    }
    if expiration_time is not None:
        token["expiration_time"] = int(expiration_time)
    return token


def _view(uc: Uc, recipient: dict[str, Any]) -> dict[str, Any]:
    view = dict(recipient)
    tokens = view.get("tokens")
    if tokens is not None:
        now = uc.store.now()
        live = [t for t in tokens if t.get("expiration_time") is None or t["expiration_time"] > now]
        view["tokens"] = live
        if not view.get("activated") and live:
            view["activation_url"] = live[-1]["activation_url"]
    return view


def _ip_list(body: dict[str, Any]) -> dict[str, Any]:
    ips = body.get("ip_access_list")
    if not isinstance(ips, dict) or not isinstance(ips.get("allowed_ip_addresses", []), list):
        raise invalid("ip_access_list must be an object with allowed_ip_addresses, a list.")
    addresses = [str(ip) for ip in ips.get("allowed_ip_addresses", [])]
    if len(addresses) > MAX_IPS:
        raise invalid(f"ip_access_list holds {len(addresses)} addresses; the limit is {MAX_IPS}.")
    for address in addresses:
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            raise invalid(f"Invalid IP address or CIDR range in ip_access_list: '{address}'.") from None
    return {"allowed_ip_addresses": addresses}


def _properties(body: dict[str, Any]) -> dict[str, Any]:
    kv = body.get("properties_kvpairs")
    if not isinstance(kv, dict) or not isinstance(kv.get("properties", {}), dict):
        raise invalid("properties_kvpairs must be an object with properties, a map of strings.")
    return {"properties": {str(k): str(v) for k, v in kv.get("properties", {}).items()}}


def create(uc: Uc, body: dict[str, Any]) -> dict[str, Any]:
    name = check_name("Recipient", body.get("name"))
    auth = body.get("authentication_type")
    if auth not in AUTH_TYPES:
        raise invalid(f"Invalid authentication_type: {auth} (the emulator serves {', '.join(AUTH_TYPES)})")
    global_id = body.get("data_recipient_global_metastore_id")
    recipient: dict[str, Any] = {
        "name": name,
        "authentication_type": auth,
        "owner": body.get("owner") or uc.user,
    }
    if auth == "DATABRICKS":
        if not global_id:
            raise invalid("data_recipient_global_metastore_id is required for a DATABRICKS recipient.")
        match = _GLOBAL_ID.match(str(global_id))
        if not match:
            raise invalid(
                f"Invalid data_recipient_global_metastore_id '{global_id}': "
                "expected <cloud>:<region>:<metastore-uuid>."
            )
        if global_id == uc.metastore.global_id:
            raise invalid("A recipient cannot be the metastore that shares with it.")
        if body.get("ip_access_list") is not None:
            raise invalid("ip_access_list is only supported for TOKEN recipients.")
        recipient.update(
            data_recipient_global_metastore_id=global_id,
            cloud=match.group(1),
            region=match.group(2),
            metastore_id=match.group(3),
            activated=True,
        )
    else:
        if global_id:
            raise invalid("data_recipient_global_metastore_id is only valid for a DATABRICKS recipient.")
        if body.get("ip_access_list") is not None:
            recipient["ip_access_list"] = _ip_list(body)
        recipient["activated"] = False
        recipient["tokens"] = [_token(uc, body.get("expiration_time"))]
    if body.get("comment") is not None:
        recipient["comment"] = body["comment"]
    if body.get("properties_kvpairs") is not None:
        recipient["properties_kvpairs"] = _properties(body)
    if body.get("expiration_time") is not None:
        recipient["expiration_time"] = int(body["expiration_time"])
    recipient["id"] = str(uuid.uuid4())
    uc.stamps(recipient, created=True)
    with uc.store.transaction():
        if uc.get("uc_recipients", name) is not None:
            raise already_exists("RECIPIENT_ALREADY_EXISTS", f"Recipient '{name}' already exists.")
        for other in uc.all("uc_recipients"):
            if global_id and other.get("data_recipient_global_metastore_id") == global_id:
                raise already_exists(
                    "RECIPIENT_ALREADY_EXISTS",
                    f"Recipient '{other['name']}' already has the sharing identifier '{global_id}'.",
                )
        uc.put("uc_recipients", name, recipient)
    return _view(uc, recipient)


def get(uc: Uc, name: str) -> dict[str, Any]:
    return _view(uc, _recipient(uc, name))


def list_recipients(uc: Uc, query: dict[str, str]) -> dict[str, Any]:
    wanted = query.get("data_recipient_global_metastore_id")
    recipients = [
        _view(uc, r)
        for r in uc.all("uc_recipients")
        if not wanted or r.get("data_recipient_global_metastore_id") == wanted
    ]
    return page(recipients, query, lambda r: str(r["name"]), "recipients")


def update(uc: Uc, name: str, body: dict[str, Any]) -> dict[str, Any]:
    with uc.store.transaction():
        recipient = _recipient(uc, name)
        if body.get("ip_access_list") is not None:
            if recipient["authentication_type"] != "TOKEN":
                raise invalid("ip_access_list is only supported for TOKEN recipients.")
            recipient["ip_access_list"] = _ip_list(body)  # the whole list, replaced
        if body.get("properties_kvpairs") is not None:
            recipient["properties_kvpairs"] = _properties(body)  # every property, replaced
        for key in ("comment", "owner"):
            if body.get(key) is not None:
                recipient[key] = body[key]
        if body.get("expiration_time") is not None:
            recipient["expiration_time"] = int(body["expiration_time"])
            for token in recipient.get("tokens", [])[-1:]:
                token["expiration_time"] = int(body["expiration_time"])
        rename(uc, "uc_recipients", "Recipient", recipient, body.get("new_name"), "recipient")
        uc.stamps(recipient, created=False)
        uc.put("uc_recipients", recipient["name"], recipient)
    return _view(uc, recipient)


def delete(uc: Uc, name: str) -> dict[str, Any]:
    name = name.lower()
    with uc.store.transaction():
        _recipient(uc, name)
        uc.remove("uc_recipients", name)
        uc.store.execute("DELETE FROM uc_grants WHERE metastore_id = ? AND recipient = ?", (uc.mid, name))
    return {}


def rotate_token(uc: Uc, name: str, body: dict[str, Any]) -> dict[str, Any]:
    seconds = body.get("existing_token_expire_in_seconds")
    if seconds is None:
        raise invalid("Missing required field: existing_token_expire_in_seconds")
    if int(seconds) < 0:
        raise invalid("existing_token_expire_in_seconds must not be negative.")
    with uc.store.transaction():
        recipient = _recipient(uc, name)
        if recipient["authentication_type"] != "TOKEN":
            raise invalid(f"Recipient '{name}' is a DATABRICKS recipient: it has no token to rotate.")
        now = uc.store.now()
        live = [
            t
            for t in recipient.get("tokens", [])
            if t.get("expiration_time") is None or t["expiration_time"] > now
        ]
        if len(live) > 1:
            raise invalid(
                f"Recipient '{name}' already has two active tokens; let one expire before rotating."
            )
        deadline = now + int(seconds) * 1000
        for token in live:
            # Only ever shortened, never extended.
            if token.get("expiration_time") is None or token["expiration_time"] > deadline:
                token["expiration_time"] = deadline
                token["updated_at"], token["updated_by"] = now, uc.user
        expiry = recipient.get("expiration_time")
        recipient["tokens"] = [*live, _token(uc, expiry if expiry is not None and expiry > now else None)]
        recipient["activated"] = False
        uc.stamps(recipient, created=False)
        uc.put("uc_recipients", name, recipient)
    return _view(uc, recipient)


def share_permissions(uc: Uc, name: str, query: dict[str, str]) -> dict[str, Any]:
    name = _recipient(uc, name)["name"]
    rows = uc.store.query(
        "SELECT share FROM uc_grants WHERE metastore_id = ? AND recipient = ? ORDER BY share", (uc.mid, name)
    )
    out = [
        {"share_name": r["share"], "privilege_assignments": [{"principal": name, "privileges": ["SELECT"]}]}
        for r in rows
    ]
    return page(out, query, lambda p: str(p["share_name"]), "permissions_out")
