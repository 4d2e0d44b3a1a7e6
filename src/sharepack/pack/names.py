"""What Databricks accepts as names, tags, table names and emails — checked before anything is sent.

Each function returns a message for a person, or None when the value is fine.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

# Pipeline names are used as the task keys of the jobs that run them (Jobs API: at most 100
# characters) and, suffixed with `_schedule`, as job names.
PIPELINE_NAME_MAX = 100
JOB_NAME_MAX_BYTES = 4096  # Jobs API: "The maximum length is 4096 bytes in UTF-8 encoding"
UC_NAME_MAX = 255  # Unity Catalog object names
TAG_KEY_MAX = 127  # cluster tags, which pipeline and job tags become (AWS: 127/255)
TAG_VALUE_MAX = 255
MAX_TAGS = 25  # per pipeline or job (Databricks)
MAX_USER_TAGS = 22  # Databricks allows 25 tags per pipeline or job; sharepack adds up to 3 of its own

# Quotes and backslashes break the `name LIKE '...'` filters used to find resources by name, and
# `%` is a wildcard in them; control characters cannot be typed or shown.
_NAME_FORBIDDEN = re.compile(r"""['"%\\\x00-\x1f\x7f]""")
_PLAIN_PART = re.compile(r"\w+\Z")
_QUOTED_PART = re.compile(r"`((?:[^`]|``)+)`\Z")
_PART = r"(`(?:[^`]|``)+`|[^.`]+)"
_PART_AT = re.compile(_PART)
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_METASTORE_ID = re.compile(rf"(aws|azure|gcp):[a-z0-9-]+:{_UUID}\Z", re.IGNORECASE)
_UC_FORBIDDEN = re.compile(r"[.\s/`\x00-\x1f\x7f]")
# Portable across clouds: AWS allows letters, digits, spaces and + - = . _ : / @ in tags; Azure
# forbids < > % & \ ? / in keys.
_TAG_KEY = re.compile(r"[\w .:+=@-]+\Z")
_TAG_VALUE = re.compile(r"[\w .:+=@/-]*\Z")
_RESERVED_TAG_KEYS = frozenset(
    ("name", "vendor", "creator", "clusterid", "clustername", "runname", "jobid", "managed_by")
)
_RESERVED_TAG_PREFIXES = ("sharepack", "aws:", "azure", "microsoft", "windows")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+\Z")


def resource_name_problem(
    name: str, what: str, *, max_chars: int | None = None, file_name: bool = False
) -> str | None:
    """Pipeline and job names: non-empty, no stray spaces, nothing that breaks name filters.
    With `file_name` (a pipeline's generated code is uploaded as `<folder>/<name>.py`), nothing
    that could lead the file out of the pack's folder either."""
    if not name.strip():
        return f"{what} name is empty"
    if name != name.strip():
        return f"{what} name {name!r} starts or ends with a space"
    bad = _NAME_FORBIDDEN.search(name)
    if bad:
        return (
            f"{what} name {name!r} contains {_describe(bad.group())}, which is not allowed: quotes, "
            "backslashes and % break the name filters used to find it again"
        )
    hidden = invisible_char_problem(name, f"{what} name")
    if hidden:
        return hidden
    if file_name and ("/" in name or ".." in name):
        return (
            f"{what} name {name!r} contains {'a slash' if '/' in name else '..'}, which is not allowed: "
            "it names the file its generated code is uploaded to, which must stay in the pack's folder"
        )
    if max_chars is not None and len(name) > max_chars:
        return f"{what} name is {len(name)} characters long; the limit is {max_chars}"
    if len(name.encode()) > JOB_NAME_MAX_BYTES:
        return f"{what} name is longer than {JOB_NAME_MAX_BYTES} bytes"
    return None


def invisible_char_problem(text: str, what: str) -> str | None:
    """Characters that do not show as themselves — controls (NEL too), bidi overrides, zero-width
    spaces and joiners, line separators: a name carrying one can be made to look like another in
    a plan (U+202E reverses what follows it)."""
    import unicodedata

    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"):
            return f"{what} {text!a} contains the invisible or control character U+{ord(char):04X}"
    return None


# A pack's name becomes a file name (its deploy lock under /Shared/.sharepack/locks) and the mark
# on its shares' comments: letters, digits, `_`, `-` and `.`, not starting with a dot (no `..`).
_PACK_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*\Z")
PACK_NAME_MAX = 100


def pack_name_problem(name: str) -> str | None:
    if _PACK_NAME.match(name) and len(name) <= PACK_NAME_MAX:
        return None
    return (
        f"pack name {name!a} may only have letters, digits, '_', '-' and '.' (not first), "
        f"at most {PACK_NAME_MAX} characters: it names the pack's lock file and marks its resources"
    )


def _describe(char: str) -> str:
    return repr(char) if char.isprintable() else f"the control character U+{ord(char):04X}"


def uc_name_problem(name: str, what: str) -> str | None:
    """A catalog, schema or share name as the APIs take it (no backticks): Unity Catalog's rules."""
    if not name:
        return f"{what} is empty"
    hidden = invisible_char_problem(name, what)
    if hidden:
        return hidden
    if len(name) > UC_NAME_MAX:
        return f"{what} {name!r} is longer than {UC_NAME_MAX} characters"
    bad = _UC_FORBIDDEN.search(name)
    if bad:
        char = bad.group()
        shown = {" ": "a space", ".": "a period", "/": "a slash", "`": "a backtick"}.get(char) or _describe(
            char
        )
        return f"{what} {name!r} contains {shown}, which Unity Catalog names cannot contain"
    return None


def _part_problem(part: str, what: str) -> str | None:
    """One part of a dotted name: a plain identifier, or any Unity Catalog name in backticks."""
    quoted = _QUOTED_PART.match(part)
    if quoted:
        return uc_name_problem(quoted.group(1).replace("``", "`"), what)
    if not _PLAIN_PART.match(part):
        return f"{what} {part!r} needs backticks: unquoted, a name has only letters, digits and underscores"
    return uc_name_problem(part, what)


def split_name(name: str) -> list[str] | None:
    """The parts of a dotted name as written (backticked parts keep their backticks), or None."""
    parts: list[str] = []
    pos = 0
    while True:
        match = _PART_AT.match(name, pos)
        if not match:
            return None
        parts.append(match.group(1))
        pos = match.end()
        if pos == len(name):
            return parts
        if name[pos] != ".":
            return None
        pos += 1


def unquote(part: str) -> str:
    quoted = _QUOTED_PART.match(part)
    return quoted.group(1).replace("``", "`") if quoted else part


def api_name(name: str) -> str:
    """A dotted name as Unity Catalog's REST API takes it: each part without its backticks
    (`main`.`my-schema`.t → main.my-schema.t); the backticks are SQL's quoting, not the name."""
    parts = split_name(name)
    return ".".join(unquote(part) for part in parts) if parts else name


def name_key(name: str) -> tuple[str, ...]:
    """What Unity Catalog compares: parts without backticks, case-insensitively."""
    parts = split_name(name) or [name]
    return tuple(unquote(part).lower() for part in parts)


_COUNT_WORDS = {2: "two-part", 3: "three-part"}


def dotted_name_problem(name: str, labels: tuple[str, ...]) -> str | None:
    """A name of `len(labels)` parts, each a plain identifier or a backticked name."""
    parts = split_name(name)
    if parts is None or len(parts) != len(labels):
        count = _COUNT_WORDS.get(len(labels), f"{len(labels)}-part")
        return f"{name!r} is not a {count} name {'.'.join(labels)}"
    for label, part in zip(labels, parts, strict=True):
        problem = _part_problem(part, f"{label} name")
        if problem:
            return f"in {name!r}: {problem}"
    return None


def three_part_name_problem(name: str) -> str | None:
    """`catalog.schema.table`, each part a plain identifier or a backticked name."""
    return dotted_name_problem(name, ("catalog", "schema", "table"))


def ip_problem(value: str) -> str | None:
    """An entry of a recipient's IP access list: an IPv4 address or CIDR block."""
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return f"{value!r} is not an IPv4 address or CIDR block (such as 203.0.113.7 or 203.0.113.0/24)"
    if network.version != 4:
        return f"{value!r} is IPv6; Delta Sharing IP access lists take IPv4 addresses and CIDR blocks"
    if "/" in value and ipaddress.ip_interface(value).ip != network.network_address:
        return f"{value!r} has bits set after the prefix length: the block is {network}"
    return None


def metastore_id_problem(value: str) -> str | None:
    """A D2D recipient's metastore, as `SELECT CURRENT_METASTORE()` shows it there."""
    if _METASTORE_ID.match(value):
        return None
    return (
        f"{value!r} is not a metastore global ID <cloud>:<region>:<metastore uuid>, "
        "such as aws:us-west-2:19a85dee-54bc-43a2-87ab-023d0ec16013"
    )


# Where a recipient's real metastore global ID is found (templates ship a placeholder).
METASTORE_ID_HINT = (
    "ask the recipient for it: in their workspace `databricks metastores summary` shows it as "
    "`global_metastore_id` (so does `SELECT CURRENT_METASTORE()`); an existing D2D recipient's "
    "`data_recipient_global_metastore_id` (`databricks recipients get NAME`) is the same value"
)


def tag_problems(tags: Mapping[str, str]) -> list[tuple[str, str]]:
    """(key, message) for each tag Databricks would refuse or that collides with ours."""
    problems: list[tuple[str, str]] = []
    for key, value in tags.items():
        lowered = key.lower()
        if not key:
            problems.append((key, "a tag key is empty"))
        elif len(key) > TAG_KEY_MAX:
            problems.append((key, f"tag key {key[:20]!r}... is longer than {TAG_KEY_MAX} characters"))
        elif not _TAG_KEY.match(key):
            problems.append(
                (key, f"tag key {key!r} may contain only letters, digits, spaces and _ . : + = @ -")
            )
        elif lowered in _RESERVED_TAG_KEYS or lowered.startswith(_RESERVED_TAG_PREFIXES):
            problems.append((key, f"tag key {key!r} is reserved (by Databricks, the cloud or sharepack)"))
        elif len(value) > TAG_VALUE_MAX:
            problems.append((key, f"the value of tag {key!r} is longer than {TAG_VALUE_MAX} characters"))
        elif not _TAG_VALUE.match(value):
            problems.append(
                (
                    key,
                    f"the value of tag {key!r} may contain only letters, digits, spaces and _ . : + = @ / -",
                )
            )
    return problems


def email_problem(address: str) -> str | None:
    if len(address) > 254 or not _EMAIL.match(address):
        return f"{address!r} is not an email address"
    return None


def url_problem(url: str) -> str | None:
    # `local:NAME`: another embedded workspace, in a metastore of its own (a D2D recipient's).
    if url == "local" or re.fullmatch(r"local:[a-z0-9_-]{1,40}", url):
        return None
    if not re.match(r"https?://[^\s/]+", url):
        return f"{url!r} is not a workspace URL (https://...), `local` or `local:NAME`"
    return None
