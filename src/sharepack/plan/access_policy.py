"""Access policies: rules on who may read what, checked against the access a plan creates.

```yaml
# sharepack-policy.yaml, beside the packs (or --policy FILE)
rules:
  - deny: {objects: ["main.pii.*"], to: external}
  - allow_only: {objects: ["main.finance.*"], to: [finance_d2d]}
```

`deny` refuses a matching object to matching recipients; `allow_only` refuses it to every other
recipient. `to` is `external` (D2O: token, OIDC, OAuth), `d2d` (another Databricks metastore),
`any`, or a list of recipient names (globs; the two words may appear in the list too). Objects
are globs on the object's full name, case-insensitive as Unity Catalog names are; a shared
schema (`catalog.schema`) stands for every table in it, so `main.pii.*` catches `main.pii`.

Only what a change creates is refused (`plan` and `apply` exit 1). What the workspace already
holds is reported by `sharepack access --policy`, never touched. A recipient of unknown type (a
grantee no listing returned) counts as both external and D2D: a rule fails closed.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sharepack.errors import SharepackError, SpecError, SpecProblem, UsageError

POLICY_FILE = "sharepack-policy.yaml"
KINDS = ("deny", "allow_only")
EXTERNAL = "external"
D2D = "d2d"
ANY = "any"
_WORDS = {EXTERNAL: EXTERNAL, "d2o": EXTERNAL, D2D: D2D, ANY: ANY}


@dataclass(frozen=True)
class Rule:
    kind: str  # deny | allow_only
    objects: tuple[str, ...]  # globs, folded
    to: tuple[str, ...]  # recipient globs (folded) and the words external / d2d / any
    where: str  # file:line:col of the rule
    name: str | None = None

    def describe(self) -> str:
        label = f"{self.name!r}: " if self.name else ""
        to = self.to[0] if len(self.to) == 1 and self.to[0] in _WORDS.values() else f"[{', '.join(self.to)}]"
        return f"{label}{self.kind} {', '.join(self.objects)} to {to} ({self.where})"

    def covers(self, obj: str) -> bool:
        return any(object_matches(obj, pattern) for pattern in self.objects)

    def names(self, recipient: str, recipient_type: str) -> bool:
        """Whether `to` names this recipient."""
        folded = recipient.lower()
        for item in self.to:
            if item == ANY:
                return True
            if item == EXTERNAL and recipient_type in ("D2O", "unknown"):
                return True
            if item == D2D and recipient_type in ("D2D", "unknown"):
                return True
            if item not in _WORDS.values() and fnmatch.fnmatchcase(folded, item):
                return True
        return False

    def refuses(self, recipient: str, recipient_type: str, obj: str) -> bool:
        if not self.covers(obj):
            return False
        named = self.names(recipient, recipient_type)
        if self.kind == "allow_only":
            # Unknown type fails closed here too: only a recipient named outright is allowed.
            if recipient_type == "unknown":
                named = any(
                    i not in _WORDS.values() and fnmatch.fnmatchcase(recipient.lower(), i) for i in self.to
                )
            return not named
        return named


def object_matches(obj: str, pattern: str) -> bool:
    folded = obj.lower()
    if fnmatch.fnmatchcase(folded, pattern):
        return True
    if folded.count(".") == 1 and pattern.count(".") >= 2:
        # A shared schema exposes every table in it: match it against the pattern's schema part.
        return fnmatch.fnmatchcase(folded, ".".join(pattern.split(".")[:2]))
    return False


@dataclass(frozen=True)
class Policy:
    path: str
    rules: tuple[Rule, ...]

    def refusing(self, recipient: str, recipient_type: str, obj: str) -> list[Rule]:
        return [r for r in self.rules if r.refuses(recipient, recipient_type, obj)]


@dataclass(frozen=True)
class Violation:
    rule: Rule
    recipient: str
    recipient_type: str
    share: str
    object: str
    verb: str  # "gains" for a change, "reads" for what already is

    def __str__(self) -> str:
        return (
            f"{self.recipient} ({self.recipient_type}) {self.verb} {self.object} through share "
            f"{self.share}: {'refused by' if self.verb == 'gains' else 'breaks'} rule {self.rule.describe()}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.describe(),
            "rule_kind": self.rule.kind,
            "rule_at": self.rule.where,
            "recipient": self.recipient,
            "recipient_type": self.recipient_type,
            "share": self.share,
            "object": self.object,
        }


class PolicyRefused(SharepackError):
    """A plan creates access a policy rule refuses: nothing is applied."""


def violations(policy: Policy, entries: Iterable[Any], *, verb: str = "gains") -> list[Violation]:
    """The rules each entry (anything with recipient, recipient_type, share, object) breaks."""
    found = []
    for entry in entries:
        for rule in policy.refusing(entry.recipient, entry.recipient_type, entry.object):
            found.append(
                Violation(rule, entry.recipient, entry.recipient_type, entry.share, entry.object, verb)
            )
    return found


def refusal(found: list[tuple[Policy, list[Violation]]]) -> PolicyRefused:
    broken = [v for _, vs in found for v in vs]
    files = ", ".join(dict.fromkeys(p.path for p, _ in found))
    shown = "\n  ".join(str(v) for v in broken[:20])
    more = f"\n  … and {len(broken) - 20} more" if len(broken) > 20 else ""
    return PolicyRefused(
        f"access policy {files} refuses {len(broken)} access change(s); nothing is applied:\n  {shown}{more}",
        hint="take the object or the grant out of the pack, or change the rule if the access is intended",
    )


# -- loading ---------------------------------------------------------------------------------------
def find_policy(pack: Path, given: Path | None) -> Policy | None:
    """The policy for a pack: --policy FILE, else sharepack-policy.yaml beside the pack, else none."""
    if given is not None:
        if not given.is_file():
            raise UsageError(f"--policy {given}: no such file", hint=f"e.g. --policy {POLICY_FILE}")
        return load_policy(given)
    beside = Path(pack).parent / POLICY_FILE
    return load_policy(beside) if beside.is_file() else None


def load_policy(path: Path) -> Policy:
    from sharepack.pack.yaml_loader import load_yaml

    data, index = load_yaml(path)
    problems: list[SpecProblem] = []
    file = str(path)

    def problem(
        at: tuple[str | int, ...], message: str, hint: str | None = None, *, key: bool = False
    ) -> None:
        line, col = index.locate(at, key=key).mark
        problems.append(SpecProblem(file, line, col, message, hint))

    rules_at: tuple[str | int, ...] = ()
    items: Any = data
    if isinstance(data, Mapping):
        unknown = [k for k in data if k != "rules"]
        for key in unknown:
            problem((key,), f"unknown key {key!r}", "a policy file holds `rules:`, a list of rules", key=True)
        items, rules_at = data.get("rules"), ("rules",)
    if not isinstance(items, list):
        problem(
            rules_at,
            "expected `rules:`, a list of rules",
            "e.g. rules: [{deny: {objects: [main.pii.*], to: external}}]",
        )
        raise SpecError(problems=problems)
    rules = []
    for i, item in enumerate(items):
        rule = _rule(item, (*rules_at, i), file, index, problem)
        if rule is not None:
            rules.append(rule)
    if problems:
        raise SpecError(problems=problems)
    return Policy(file, tuple(rules))


def _rule(item: Any, at: tuple[str | int, ...], file: str, index: Any, problem: Any) -> Rule | None:
    hint = "e.g. - deny: {objects: [main.pii.*], to: external}"
    if not isinstance(item, Mapping):
        problem(at, "a rule is a mapping with `deny:` or `allow_only:`", hint)
        return None
    kinds = [k for k in KINDS if k in item]
    for key in item:
        if key not in (*KINDS, "name"):
            from sharepack.errors import did_you_mean

            problem(
                (*at, key),
                f"unknown key {key!r} in a rule",
                did_you_mean(str(key), [*KINDS, "name"]) or hint,
                key=True,
            )
    if len(kinds) != 1:
        problem(at, "a rule has exactly one of `deny:` or `allow_only:`", hint)
        return None
    kind = kinds[0]
    name = item.get("name")
    if name is not None and not isinstance(name, str):
        problem((*at, "name"), "`name` is text")
    body = item[kind]
    body_at = (*at, kind)
    if not isinstance(body, Mapping):
        problem(body_at, f"`{kind}` holds `objects:` and `to:`", hint)
        return None
    for key in body:
        if key not in ("objects", "to"):
            problem(
                (*body_at, key), f"unknown key {key!r} in `{kind}`", "only `objects:` and `to:`", key=True
            )
    objects = _texts(
        body.get("objects"), (*body_at, "objects"), problem, "objects", "e.g. objects: [main.pii.*]"
    )
    to = _to(body.get("to"), (*body_at, "to"), problem)
    if objects is None or to is None:
        return None
    line, col = index.locate(at).mark
    return Rule(kind, objects, to, f"{file}:{line}:{col}", name if isinstance(name, str) else None)


def _texts(
    value: Any, at: tuple[str | int, ...], problem: Any, what: str, hint: str
) -> tuple[str, ...] | None:
    if value is None:
        problem(at[:-1], f"`{what}` is missing", hint)
        return None
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values:
        problem(at, f"`{what}` is a non-empty list of names", hint)
        return None
    out = []
    for i, item in enumerate(values):
        if not isinstance(item, str) or not item.strip():
            problem((*at, i) if isinstance(value, list) else at, f"`{what}` entries are non-empty text", hint)
            return None
        out.append(item.strip().lower())
    return tuple(out)


def _to(value: Any, at: tuple[str | int, ...], problem: Any) -> tuple[str, ...] | None:
    hint = "`to:` is external, d2d, any, or a list of recipient names"
    if isinstance(value, str):
        word = _WORDS.get(value.strip().lower())
        if word is None:
            problem(
                at,
                f"`to: {value}` is neither external, d2d nor any",
                f"{hint} (a single name goes in a list: [{value}])",
            )
            return None
        return (word,)
    names = _texts(value, at, problem, "to", hint)
    if names is None:
        return None
    return tuple(_WORDS.get(n, n) for n in names)


# -- plans -----------------------------------------------------------------------------------------
def plan_violations(plans: Iterable[Any], given: Path | None) -> list[tuple[Policy, list[Violation]]]:
    """Per plan with a policy (--policy, or the file beside its pack): the access it creates that
    a rule refuses. Losing access never breaks a rule."""
    found = []
    for plan in plans:
        policy = find_policy(Path(plan.source), given)
        if policy is None:
            continue
        broken = violations(policy, (a for a in plan.access if a.change == "gains"))
        if broken:
            found.append((policy, broken))
    return found


def markdown_lines(found: list[tuple[Policy, list[Violation]]]) -> list[str]:
    out = []
    for policy, broken in found:
        out += ["", f"> ⛔ **access policy `{policy.path}` refuses {len(broken)} access change(s)**", ">"]
        out += [f"> - {v}" for v in broken]
    return out
