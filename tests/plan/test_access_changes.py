"""The access a plan moves, worked out from its changes and the state it read: plain values, no
server. Each case is one way a reviewer's question ("who can now read what?") is answered."""

from __future__ import annotations

from typing import Any

from sharepack.changes.model import Action, Change, ResourceType
from sharepack.kinds.sharing_access import access_changes
from sharepack.kinds.sharing_state import ActualRecipient, ActualShare, SharingState


def _recipient(name: str, auth: str = "TOKEN") -> ActualRecipient:
    return ActualRecipient(name, auth, None, None, None, {})


def _share(name: str, objects: tuple[str, ...], grants: tuple[str, ...]) -> ActualShare:
    return ActualShare(name, None, {o: {"name": o} for o in objects}, frozenset(grants))


STATE = SharingState(
    recipients={"acme": _recipient("acme"), "Analytics": _recipient("Analytics", "DATABRICKS")},
    shares={"sales": _share("sales", ("main.sales.a", "main.sales.b"), ("acme", "Analytics"))},
)


def _objects(name: str, *updates: tuple[str, str]) -> Change:
    return Change(
        Action.UPDATE,
        ResourceType.SHARE_OBJECTS,
        name,
        "p",
        settings={"updates": [{"action": a, "data_object": {"name": o}} for a, o in updates]},
    )


def _moved(*changes: Change, state: SharingState = STATE) -> list[tuple[Any, ...]]:
    return [
        (a.recipient, a.recipient_type, a.share, a.object, a.change) for a in access_changes(changes, state)
    ]


def test_deleting_a_recipient_loses_what_it_read_through_every_share_read() -> None:
    assert _moved(Change(Action.DELETE, ResourceType.RECIPIENT, "ACME", "p")) == [
        ("acme", "D2O", "sales", "main.sales.a", "loses"),
        ("acme", "D2O", "sales", "main.sales.b", "loses"),
    ]


def test_an_object_replaced_in_the_same_patch_moves_no_access() -> None:
    assert _moved(_objects("sales", ("REMOVE", "main.sales.a"), ("ADD", "main.sales.a"))) == []


def test_names_are_compared_case_insensitively_as_unity_catalog_does() -> None:
    grant = Change(Action.CREATE, ResourceType.GRANT, "SALES:analytics", "p")
    assert _moved(_objects("Sales", ("ADD", "MAIN.SALES.C")), grant) == [
        ("acme", "D2O", "sales", "MAIN.SALES.C", "gains"),
        ("Analytics", "D2D", "sales", "MAIN.SALES.C", "gains"),
    ]


def test_a_grant_on_a_share_made_by_the_same_plan_gains_every_object_put_in_it() -> None:
    changes = (
        Change(
            Action.CREATE, ResourceType.RECIPIENT, "new", "p", settings={"authentication_type": "DATABRICKS"}
        ),
        Change(Action.CREATE, ResourceType.SHARE, "fresh", "p"),
        Change(
            Action.CREATE,
            ResourceType.SHARE_OBJECTS,
            "fresh",
            "p",
            settings={"updates": [{"action": "ADD", "data_object": {"name": "main.x.t"}}]},
        ),
        Change(Action.CREATE, ResourceType.GRANT, "fresh:new", "p"),
    )
    assert _moved(*changes) == [("new", "D2D", "fresh", "main.x.t", "gains")]


def test_refused_changes_move_nothing() -> None:
    refused = Change(Action.CONFLICT, ResourceType.GRANT, "sales:other", "p")
    noop = Change(Action.NOOP, ResourceType.SHARE_OBJECTS, "sales", "p")
    assert _moved(refused, noop) == []


def test_a_grantee_no_listing_returned_is_of_unknown_type() -> None:
    state = SharingState(shares={"s": _share("s", ("c.s.t",), ())})
    assert _moved(Change(Action.CREATE, ResourceType.GRANT, "s:ghost", "p"), state=state) == [
        ("ghost", "unknown", "s", "c.s.t", "gains")
    ]
