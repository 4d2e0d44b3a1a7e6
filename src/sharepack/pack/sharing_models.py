"""The Delta Sharing half of a SharePack as written: a share's assets and mount, and recipients.

The keys are those of the share packs our users already hold (see docs/sharepack-yaml.md). A full
list (`share_assets`, `recipients`, `recipient_ips`) declares the whole state: what it leaves out
is removed. Their change lists (`*_to_add`, `*_to_remove`) are read declaratively: what they name
must be present (or absent), everything else is left as it is, so re-applying changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args

from pydantic import BeforeValidator, Field

from sharepack.pack.model_base import SpecModel, upper_choice
from sharepack.pack.names import split_name
from sharepack.pack.resolved import AssetType, RecipientType

ASSET_TYPES: tuple[str, ...] = get_args(AssetType)
RECIPIENT_TYPES: tuple[str, ...] = get_args(RecipientType)

AssetTypeField = Annotated[AssetType, upper_choice(*ASSET_TYPES)]
RecipientTypeField = Annotated[RecipientType, upper_choice(*RECIPIENT_TYPES)]


def _asset_shorthand(value: Any) -> Any:
    if isinstance(value, str):
        return {"name": value}
    if isinstance(value, dict):
        return value
    raise ValueError(
        "expected catalog.schema.table (or catalog.schema for a schema), "
        "or a mapping {name, type, shared_as, history, cdf}"
    )


def _comma_list(value: Any) -> Any:
    # Their files write lists as "a, b" as often as YAML lists (and workbooks always do).
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _days(value: Any) -> Any:
    # pydantic reads `true` as 1; a yes/no where a number of days belongs is a mistake.
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number of days, got {'true' if value else 'false'}")
    return value


class ShareAsset(SpecModel):
    """One data object of a share. A plain string is shorthand for `{name: ...}`."""

    name: str = Field(
        description="The object's full name: catalog.schema.table (catalog.schema for a SCHEMA)."
    )
    type: AssetTypeField | None = Field(
        None,
        description="TABLE, SCHEMA, VIEW, MATERIALIZED_VIEW, STREAMING_TABLE, MODEL or VOLUME. "
        "Default: SCHEMA for a two-part name, TABLE for a three-part name.",
    )
    shared_as: str | None = Field(
        None,
        description="The name recipients see, unique in the share: schema.table (a schema: its name). "
        "Default: the name without its catalog.",
    )
    history: bool | None = Field(
        None,
        description="Share the table's history (time travel and change data feed for recipients). "
        "Default: as Databricks decides; sharepack leaves it alone.",
    )
    cdf: bool | None = Field(
        None, description="Share the change data feed. Default: as Databricks decides; left alone."
    )

    def resolved_type(self) -> AssetType:
        """The type written, or the one a name of that many parts means."""
        if self.type is not None:
            return self.type
        parts = split_name(self.name)
        return "SCHEMA" if parts is not None and len(parts) == 2 else "TABLE"


CommaList = Annotated[list[str], BeforeValidator(_comma_list, json_schema_input_type=str | list[str])]
Days = Annotated[int, Field(ge=0), BeforeValidator(_days)]
ShareAssetItem = Annotated[
    ShareAsset, BeforeValidator(_asset_shorthand, json_schema_input_type=str | ShareAsset)
]


class Mount(SpecModel):
    """The share mounted as a read-only catalog in the recipient's workspace (D2D only)."""

    target: str = Field(description="A target of this pack whose workspace is the recipient's.")
    catalog: str = Field(
        description="The catalog the share becomes there; not one that a pipeline of the pack publishes to."
    )


class Recipient(SpecModel):
    """Who a share is granted to: a Databricks metastore (D2D) or a token holder (D2O)."""

    name: str = Field(description="The recipient's name, unique in the pack (a target may prefix it).")
    type: RecipientTypeField = Field(
        description="D2D: another Databricks metastore (Databricks-to-Databricks). "
        "D2O: open sharing, anyone holding the activation link's token."
    )
    recipient: str | None = Field(None, description="The recipient's contact e-mail.")
    comment: str | None = Field(None, description="Free text on the recipient. Alias: description.")
    description: str | None = Field(None, description="Alias of `comment`.")
    recipient_databricks_org: str | None = Field(
        None,
        description="D2D only, required: the recipient metastore's global ID, <cloud>:<region>:<uuid> "
        "(`SELECT CURRENT_METASTORE()` in the recipient's workspace shows it).",
    )
    recipient_ips: CommaList | None = Field(
        None,
        description="D2O only: the full IP allow list, IPv4 addresses or CIDR blocks. "
        "Default: not managed (Databricks: any address).",
    )
    recipient_ips_to_add: CommaList | None = Field(
        None, description="D2O only: addresses that must be in the allow list; others are left as they are."
    )
    recipient_ips_to_remove: CommaList | None = Field(
        None, description="D2O only: addresses that must not be in the allow list."
    )
    token_rotation: bool | None = Field(
        None,
        description="Refused when true: a token is rotated when you choose, with "
        "`sharepack rotate-token PACK RECIPIENT`, not on every apply. false is accepted.",
    )
    token_expiry: Days | None = Field(
        None,
        description="D2O only: days the token stays valid, applied when the recipient is created "
        "(0: Databricks' default).",
    )
