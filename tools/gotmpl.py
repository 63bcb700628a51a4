"""A small Go text/template + Sprig renderer, enough to render Helm charts
that stay inside the subset below, for validating a chart where the `helm`
binary is not available.

It is an approximation: it follows Go's parsing and evaluation rules closely
(whitespace trimming, pipelines, variables and their scopes, if/else if/with/
range/define/include, nil-pointer errors on missing map keys, short-circuit
and/or), but implements only the functions in FUNCS. A template that calls
anything else fails with "function X not supported", so a pass here never
hides an unknown function. `helm template` stays the reference.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import yaml


class TemplateError(Exception):
    pass


class RenderFail(TemplateError):
    """Raised by the `fail` and `required` functions."""


# --------------------------------------------------------------------------
# Lexing: split source into text and actions, honouring trim markers.
# --------------------------------------------------------------------------

@dataclass
class Text:
    text: str


@dataclass
class Action:
    body: str
    line: int


def split_actions(src: str, name: str) -> list[Text | Action]:
    items: list[Text | Action] = []
    pos = 0
    trim_next = False
    while True:
        start = src.find("{{", pos)
        if start < 0:
            text = src[pos:]
            if trim_next:
                text = text.lstrip(" \t\r\n")
            items.append(Text(text))
            break
        text = src[pos:start]
        if trim_next:
            text = text.lstrip(" \t\r\n")
        inner_start = start + 2
        left_trim = src.startswith("- ", inner_start) or src.startswith("-\t", inner_start) \
            or src.startswith("-\n", inner_start)
        if left_trim:
            text = text.rstrip(" \t\r\n")
            inner_start += 1
        items.append(Text(text))
        line = src.count("\n", 0, start) + 1
        # find the closing braces, skipping string literals and comments
        i = inner_start
        end = -1
        while i < len(src):
            c = src[i]
            if src.startswith("/*", i):
                j = src.find("*/", i + 2)
                if j < 0:
                    raise TemplateError(f"{name}:{line}: unclosed comment")
                i = j + 2
                continue
            if c == '"':
                i += 1
                while i < len(src) and src[i] != '"':
                    if src[i] == "\\":
                        i += 1
                    if src[i] == "\n":
                        raise TemplateError(f"{name}:{line}: newline in string")
                    i += 1
                i += 1
                continue
            if c == "`":
                j = src.find("`", i + 1)
                if j < 0:
                    raise TemplateError(f"{name}:{line}: unclosed raw string")
                i = j + 1
                continue
            if src.startswith("{{", i):
                raise TemplateError(f"{name}:{line}: '{{{{' inside an action")
            if src.startswith("}}", i):
                end = i
                break
            i += 1
        if end < 0:
            raise TemplateError(f"{name}:{line}: unclosed action")
        body = src[inner_start:end]
        right_trim = False
        if re.search(r"[ \t\r\n]-$", body):
            right_trim = True
            body = body[:-1]
        items.append(Action(body.strip(), line))
        pos = end + 2
        trim_next = right_trim
    return items


# --------------------------------------------------------------------------
# Tokens inside an action
# --------------------------------------------------------------------------

@dataclass
class Tok:
    kind: str  # str num bool nil ident field var lp rp pipe decl assign comma dot
    val: Any
    spaced: bool  # whitespace before it


_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<num>-?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))
  | (?P<decl>:=)
  | (?P<assign>=)
  | (?P<var>\$[A-Za-z0-9_]*)
  | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
  | (?P<dot>\.)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<lp>\()
  | (?P<rp>\))
  | (?P<pipe>\|)
  | (?P<comma>,)
""", re.X)


def tokenize(body: str, where: str) -> list[Tok]:
    toks: list[Tok] = []
    pos = 0
    spaced = True
    while pos < len(body):
        m = _TOKEN_RE.match(body, pos)
        if not m:
            raise TemplateError(f"{where}: unexpected {body[pos:pos+10]!r} in action")
        kind = m.lastgroup
        text = m.group()
        pos = m.end()
        if kind == "ws":
            spaced = True
            continue
        if kind == "str":
            toks.append(Tok("str", json.loads(text), spaced))
        elif kind == "raw":
            toks.append(Tok("str", text[1:-1], spaced))
        elif kind == "num":
            v = int(text, 0) if re.fullmatch(r"-?(0[xX][0-9a-fA-F]+|\d+)", text) else float(text)
            toks.append(Tok("num", v, spaced))
        elif kind == "ident" and text in ("true", "false"):
            toks.append(Tok("bool", text == "true", spaced))
        elif kind == "ident" and text == "nil":
            toks.append(Tok("nil", None, spaced))
        elif kind == "field":
            toks.append(Tok("field", text[1:].split("."), spaced))
        elif kind == "var":
            # $x.a.b : the variable followed by a field chain
            toks.append(Tok("var", text, spaced))
            fm = re.match(r"(?:\.[A-Za-z_][A-Za-z0-9_]*)+", body[pos:])
            if fm:
                toks.append(Tok("field", fm.group()[1:].split("."), False))
                pos += fm.end()
        else:
            toks.append(Tok(kind, text, spaced))
        spaced = False
    return toks


# --------------------------------------------------------------------------
# AST
# --------------------------------------------------------------------------

@dataclass
class Operand:
    kind: str  # lit field var ident dot pipe
    val: Any = None
    chain: list[str] = field(default_factory=list)


@dataclass
class Command:
    args: list[Operand]


@dataclass
class Pipeline:
    decl: list[str]
    is_assign: bool
    cmds: list[Command]


@dataclass
class ListNode:
    nodes: list[Any]


@dataclass
class TextNode:
    text: str


@dataclass
class ActionNode:
    pipe: Pipeline
    where: str


@dataclass
class IfNode:
    kind: str  # if with range
    pipe: Pipeline
    body: ListNode
    else_body: ListNode | None
    where: str


@dataclass
class TemplateNode:
    name: str
    pipe: Pipeline | None
    where: str


class Parser:
    def __init__(self, name: str, src: str, funcs: set[str]):
        self.name = name
        self.items = split_actions(src, name)
        self.i = 0
        self.defines: dict[str, ListNode] = {}
        self.funcs = funcs

    def parse(self) -> ListNode:
        body, end = self._list(top=True)
        if end is not None:
            raise TemplateError(f"{self.name}:{end[1]}: unexpected {{{{{end[0]}}}}}")
        return body

    def _list(self, top=False) -> tuple[ListNode, tuple[str, int, Any] | None]:
        nodes: list[Any] = []
        while self.i < len(self.items):
            it = self.items[self.i]
            self.i += 1
            if isinstance(it, Text):
                if it.text:
                    nodes.append(TextNode(it.text))
                continue
            where = f"{self.name}:{it.line}"
            body = it.body
            if body.startswith("/*"):
                if not body.endswith("*/"):
                    raise TemplateError(f"{where}: comment must end the action")
                continue
            toks = tokenize(body, where)
            if not toks:
                raise TemplateError(f"{where}: empty action")
            head = toks[0]
            kw = head.val if head.kind == "ident" else None
            if kw in ("if", "with", "range"):
                nodes.append(self._control(kw, toks[1:], where))
            elif kw == "else":
                return ListNode(nodes), ("else", it.line, toks[1:])
            elif kw == "end":
                if len(toks) != 1:
                    raise TemplateError(f"{where}: unexpected tokens after end")
                return ListNode(nodes), ("end", it.line, None)
            elif kw == "define":
                if not top:
                    raise TemplateError(f"{where}: define must be at top level")
                if len(toks) != 2 or toks[1].kind != "str":
                    raise TemplateError(f"{where}: define needs a name string")
                inner, end = self._list()
                if end is None or end[0] != "end":
                    raise TemplateError(f"{where}: define {toks[1].val!r} not closed with end")
                self.defines[toks[1].val] = inner
            elif kw in ("template", "block"):
                if len(toks) < 2 or toks[1].kind != "str":
                    raise TemplateError(f"{where}: {kw} needs a name string")
                pipe = self._pipeline(toks[2:], where) if len(toks) > 2 else None
                if kw == "block":
                    inner, end = self._list()
                    if end is None or end[0] != "end":
                        raise TemplateError(f"{where}: block not closed")
                    self.defines[toks[1].val] = inner
                nodes.append(TemplateNode(toks[1].val, pipe, where))
            elif kw in ("break", "continue"):
                raise TemplateError(f"{where}: {kw} not supported")
            else:
                nodes.append(ActionNode(self._pipeline(toks, where), where))
        return ListNode(nodes), None

    def _control(self, kw: str, toks: list[Tok], where: str) -> IfNode:
        pipe = self._pipeline(toks, where, allow_range_decl=(kw == "range"))
        body, end = self._list()
        if end is None:
            raise TemplateError(f"{where}: {kw} not closed with end")
        else_body = None
        if end[0] == "else":
            rest = end[2]
            if rest:
                # else if / else with: a nested control taking the rest, which
                # shares our end.
                sub_kw = rest[0].val if rest[0].kind == "ident" else None
                if sub_kw not in ("if", "with"):
                    raise TemplateError(f"{self.name}:{end[1]}: bad else clause")
                else_body = ListNode([self._control(sub_kw, rest[1:], f"{self.name}:{end[1]}")])
            else:
                else_body, end2 = self._list()
                if end2 is None or end2[0] != "end":
                    raise TemplateError(f"{where}: {kw}'s else not closed with end")
        return IfNode(kw, pipe, body, else_body, where)

    def _pipeline(self, toks: list[Tok], where: str, allow_range_decl=False) -> Pipeline:
        decl: list[str] = []
        is_assign = False
        # declarations: $x := ...  |  $i, $v := ...  |  $x = ...
        if toks and toks[0].kind == "var":
            if len(toks) > 1 and toks[1].kind in ("decl", "assign"):
                decl = [toks[0].val]
                is_assign = toks[1].kind == "assign"
                toks = toks[2:]
            elif allow_range_decl and len(toks) > 3 and toks[1].kind == "comma" \
                    and toks[2].kind == "var" and toks[3].kind == "decl":
                decl = [toks[0].val, toks[2].val]
                toks = toks[4:]
        pos = [0]
        cmds = self._cmds(toks, pos, where)
        if pos[0] != len(toks):
            raise TemplateError(f"{where}: unexpected {toks[pos[0]].val!r}")
        if not cmds:
            raise TemplateError(f"{where}: missing value")
        return Pipeline(decl, is_assign, cmds)

    def _cmds(self, toks: list[Tok], pos: list[int], where: str) -> list[Command]:
        cmds: list[Command] = []
        args: list[Operand] = []
        while pos[0] < len(toks):
            t = toks[pos[0]]
            if t.kind == "rp":
                break
            if t.kind == "pipe":
                if not args:
                    raise TemplateError(f"{where}: missing command before |")
                cmds.append(Command(args))
                args = []
                pos[0] += 1
                continue
            args.append(self._operand(toks, pos, where))
        if args:
            cmds.append(Command(args))
        for n, c in enumerate(cmds):
            head = c.args[0]
            if head.kind != "ident" and len(c.args) > 1:
                raise TemplateError(f"{where}: can't give arguments to a non-function")
            if n > 0 and head.kind != "ident":
                raise TemplateError(f"{where}: non-function in pipeline stage")
        return cmds

    def _operand(self, toks: list[Tok], pos: list[int], where: str) -> Operand:
        t = toks[pos[0]]
        pos[0] += 1
        if t.kind in ("str", "num", "bool", "nil"):
            op = Operand("lit", t.val)
        elif t.kind == "field":
            op = Operand("field", chain=t.val)
        elif t.kind == "dot":
            op = Operand("dot")
        elif t.kind == "var":
            op = Operand("var", t.val)
        elif t.kind == "ident":
            if t.val not in self.funcs:
                raise TemplateError(f"{where}: function {t.val!r} not supported")
            op = Operand("ident", t.val)
        elif t.kind == "lp":
            cmds = self._cmds(toks, pos, where)
            if pos[0] >= len(toks) or toks[pos[0]].kind != "rp":
                raise TemplateError(f"{where}: unclosed (")
            pos[0] += 1
            op = Operand("pipe", Pipeline([], False, cmds))
        else:
            raise TemplateError(f"{where}: unexpected {t.val!r}")
        # an adjacent field chain applies to this operand: $x.a, (pipe).a
        if pos[0] < len(toks) and toks[pos[0]].kind == "field" and not toks[pos[0]].spaced \
                and op.kind in ("var", "pipe"):
            op.chain = toks[pos[0]].val
            pos[0] += 1
        return op


# --------------------------------------------------------------------------
# Values and evaluation
# --------------------------------------------------------------------------

class Struct:
    """A Go struct: reading a field it does not have is an error."""

    def __init__(self, type_name: str, **fields: Any):
        self._type = type_name
        self._fields = fields

    def get(self, name: str, where: str) -> Any:
        if name not in self._fields:
            raise TemplateError(f"{where}: can't evaluate field {name} in type {self._type}")
        return self._fields[name]


def truth(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, (str, list, dict, tuple)):
        return len(v) > 0
    return True


def go_str(v: Any) -> str:
    """fmt.Sprint of one value."""
    if v is None:
        return "<no value>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v == int(v) and abs(v) < 1e21:
            return str(int(v)) if abs(v) < 1e6 else f"{v:g}".replace("e+0", "e+")
        return repr(v)
    if isinstance(v, list):
        return "[" + " ".join(go_str(x) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_str(v[k])}" for k in sorted(v)) + "]"
    return str(v)


def strval(v: Any) -> str:
    if v is None:
        return ""
    return v if isinstance(v, str) else go_str(v)


def go_quote(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def go_printf(fmt: str, *args: Any) -> str:
    out = []
    ai = 0
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        m = re.match(r"%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])", fmt[i:])
        if not m:
            raise TemplateError(f"printf: bad format {fmt!r}")
        flags, width, prec, verb = m.groups()
        i += m.end()
        if verb == "%":
            out.append("%")
            continue
        if ai >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        a = args[ai]
        ai += 1
        if verb in ("s", "v"):
            s = strval(a) if verb == "s" or isinstance(a, str) else go_str(a)
        elif verb == "d":
            if isinstance(a, bool) or not isinstance(a, int):
                s = f"%!d({type(a).__name__}={go_str(a)})"
            else:
                s = str(a)
        elif verb == "q":
            s = go_quote(strval(a))
        else:
            raise TemplateError(f"printf: verb %{verb} not supported")
        if width:
            s = s.ljust(int(width)) if "-" in flags else s.rjust(int(width))
        out.append(s)
    if ai < len(args):
        out.append("%!(EXTRA " + ", ".join(go_str(a) for a in args[ai:]) + ")")
    return "".join(out)


def to_yaml(v: Any) -> str:
    if v is None:
        return "null"
    return yaml.safe_dump(v, default_flow_style=False, sort_keys=True, width=10**9).rstrip("\n")


def _indent(n: int, s: str) -> str:
    pad = " " * int(n)
    return pad + strval(s).replace("\n", "\n" + pad)


def _kind(v: Any) -> str:
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return "other"


def _eq(a: Any, *bs: Any) -> bool:
    if not bs:
        raise TemplateError("eq: missing argument for comparison")
    for b in bs:
        ka, kb = _kind(a), _kind(b)
        if "other" not in (ka, kb) and "nil" not in (ka, kb) and ka != kb:
            raise TemplateError(f"eq: incompatible types for comparison ({ka} and {kb})")
        if a == b and ka == kb:
            return True
    return False


def _trunc(n: int, s: str) -> str:
    n = int(n)
    s = strval(s)
    if n < 0:
        return s[n:] if -n < len(s) else s
    return s[:n]


def _int(v: Any) -> int:
    if v is None or v == "":
        return 0
    try:
        return int(float(v)) if isinstance(v, str) else int(v)
    except ValueError:
        return 0


def _empty(v: Any) -> bool:
    return not truth(v)


def _default(d: Any, *given: Any) -> Any:
    if not given or _empty(given[0]):
        return d
    return given[0]


def _dict(*kv: Any) -> dict:
    out = {}
    for i in range(0, len(kv), 2):
        out[strval(kv[i])] = kv[i + 1] if i + 1 < len(kv) else ""
    return out


def _fail(msg: Any) -> Any:
    raise RenderFail(strval(msg))


def _required(msg: Any, v: Any) -> Any:
    if v is None or (isinstance(v, str) and v == ""):
        raise RenderFail(strval(msg))
    return v


def _go_print(*args: Any) -> str:
    out = []
    for i, a in enumerate(args):
        if i > 0 and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_str(a))
    return "".join(out)


BASE_FUNCS: dict[str, Callable[..., Any]] = {
    "default": _default,
    "trunc": _trunc,
    "trimSuffix": lambda suf, s: strval(s)[: -len(suf)] if suf and strval(s).endswith(suf) else strval(s),
    "trimPrefix": lambda pre, s: strval(s)[len(pre):] if pre and strval(s).startswith(pre) else strval(s),
    "trim": lambda s: strval(s).strip(),
    "contains": lambda sub, s: strval(sub) in strval(s),
    "hasPrefix": lambda pre, s: strval(s).startswith(strval(pre)),
    "hasSuffix": lambda suf, s: strval(s).endswith(strval(suf)),
    "printf": go_printf,
    "print": _go_print,
    "replace": lambda old, new, s: strval(s).replace(strval(old), strval(new)),
    "quote": lambda *a: " ".join(go_quote(strval(x)) for x in a if x is not None),
    "squote": lambda *a: " ".join("'" + strval(x) + "'" for x in a if x is not None),
    "toString": strval,
    "lower": lambda s: strval(s).lower(),
    "upper": lambda s: strval(s).upper(),
    "sha256sum": lambda s: hashlib.sha256(strval(s).encode()).hexdigest(),
    "toYaml": to_yaml,
    "toJson": lambda v: json.dumps(v, separators=(",", ":"), sort_keys=True),
    "nindent": lambda n, s: "\n" + _indent(n, s),
    "indent": _indent,
    "fail": _fail,
    "required": _required,
    "eq": _eq,
    "ne": lambda a, b: not _eq(a, b),
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "not": lambda v: not truth(v),
    "empty": _empty,
    "join": lambda sep, lst: strval(sep).join(strval(x) for x in (lst or [])),
    "int": _int,
    "int64": _int,
    "len": lambda v: len(v) if v is not None else 0,
    "list": lambda *a: list(a),
    "dict": _dict,
    "hasKey": lambda d, k: k in (d or {}),
    "kindIs": lambda k, v: {"map": dict, "slice": list, "string": str, "bool": bool}.get(k, type(None)) == type(v) if k != "invalid" else v is None,
    "ternary": lambda a, b, c: a if truth(c) else b,
}
LAZY = {"and", "or", "include", "tpl"}
ALL_FUNCS = set(BASE_FUNCS) | LAZY


class Renderer:
    def __init__(self) -> None:
        self.templates: dict[str, ListNode] = {}
        self.include_depth = 0

    def add(self, name: str, src: str) -> None:
        p = Parser(name, src, ALL_FUNCS)
        tree = p.parse()
        for k, v in p.defines.items():
            self.templates[k] = v
        self.templates[name] = tree

    def render(self, name: str, data: Any) -> str:
        out: list[str] = []
        self._exec(self.templates[name], data, [{"$": data}], out)
        return "".join(out).replace("<no value>", "")

    # -- execution --------------------------------------------------------
    def _exec(self, node: Any, dot: Any, scopes: list[dict], out: list[str]) -> None:
        if isinstance(node, ListNode):
            for n in node.nodes:
                self._exec(n, dot, scopes, out)
        elif isinstance(node, TextNode):
            out.append(node.text)
        elif isinstance(node, ActionNode):
            v = self._pipe(node.pipe, dot, scopes, node.where)
            if not node.pipe.decl:
                out.append(go_str(v))
        elif isinstance(node, TemplateNode):
            if node.name not in self.templates:
                raise TemplateError(f"{node.where}: no template {node.name!r}")
            d = self._pipe(node.pipe, dot, scopes, node.where) if node.pipe else None
            self._exec(self.templates[node.name], d, [{"$": d}], out)
        elif isinstance(node, IfNode):
            self._control(node, dot, scopes, out)
        else:
            raise TemplateError(f"unknown node {node!r}")

    def _control(self, node: IfNode, dot: Any, scopes: list[dict], out: list[str]) -> None:
        scopes.append({})
        try:
            if node.kind == "range":
                pipe = Pipeline([], False, node.pipe.cmds)
                coll = self._pipe(pipe, dot, scopes, node.where)
                if coll is None:
                    items: list[tuple[Any, Any]] = []
                elif isinstance(coll, dict):
                    items = [(k, coll[k]) for k in sorted(coll)]
                elif isinstance(coll, (list, tuple)):
                    items = list(enumerate(coll))
                elif isinstance(coll, int) and not isinstance(coll, bool):
                    items = [(i, i) for i in range(coll)]
                else:
                    raise TemplateError(f"{node.where}: range can't iterate over {go_str(coll)}")
                if not items:
                    if node.else_body:
                        self._exec(node.else_body, dot, scopes, out)
                    return
                for k, v in items:
                    frame = {}
                    if len(node.pipe.decl) == 1:
                        frame[node.pipe.decl[0]] = v
                    elif len(node.pipe.decl) == 2:
                        frame[node.pipe.decl[0]] = k
                        frame[node.pipe.decl[1]] = v
                    scopes.append(frame)
                    try:
                        self._exec(node.body, v, scopes, out)
                    finally:
                        scopes.pop()
                return
            v = self._pipe(node.pipe, dot, scopes, node.where)
            if truth(v):
                self._exec(node.body, v if node.kind == "with" else dot, scopes, out)
            elif node.else_body:
                self._exec(node.else_body, dot, scopes, out)
        finally:
            scopes.pop()

    def _lookup_var(self, name: str, scopes: list[dict], where: str) -> Any:
        for frame in reversed(scopes):
            if name in frame:
                return frame[name]
        raise TemplateError(f"{where}: undefined variable {name}")

    def _pipe(self, pipe: Pipeline, dot: Any, scopes: list[dict], where: str) -> Any:
        val: Any = None
        has = False
        for cmd in pipe.cmds:
            val = self._cmd(cmd, dot, scopes, where, val if has else _NOARG)
            has = True
        if pipe.decl:
            name = pipe.decl[0]
            if pipe.is_assign:
                for frame in reversed(scopes):
                    if name in frame:
                        frame[name] = val
                        break
                else:
                    raise TemplateError(f"{where}: undefined variable {name}")
            else:
                scopes[-1][name] = val
        return val

    def _field(self, v: Any, chain: list[str], where: str, desc: str) -> Any:
        for f in chain:
            if v is None:
                raise TemplateError(f"{where}: nil pointer evaluating interface {{}}.{f} ({desc})")
            if isinstance(v, dict):
                v = v.get(f)
            elif isinstance(v, Struct):
                v = v.get(f, where)
            else:
                raise TemplateError(f"{where}: can't evaluate field {f} in {go_str(v)!r} ({desc})")
        return v

    def _arg(self, op: Operand, dot: Any, scopes: list[dict], where: str) -> Any:
        if op.kind == "lit":
            return op.val
        if op.kind == "dot":
            return dot
        if op.kind == "field":
            return self._field(dot, op.chain, where, "." + ".".join(op.chain))
        if op.kind == "var":
            v = self._lookup_var(op.val, scopes, where)
            return self._field(v, op.chain, where, op.val + "." + ".".join(op.chain)) if op.chain else v
        if op.kind == "pipe":
            v = self._pipe(op.val, dot, scopes, where)
            return self._field(v, op.chain, where, "(...)." + ".".join(op.chain)) if op.chain else v
        if op.kind == "ident":
            return self._call(op.val, [], dot, scopes, where, _NOARG)
        raise TemplateError(f"{where}: bad operand")

    def _cmd(self, cmd: Command, dot: Any, scopes: list[dict], where: str, piped: Any) -> Any:
        head = cmd.args[0]
        if head.kind == "ident":
            return self._call(head.val, cmd.args[1:], dot, scopes, where, piped)
        if piped is not _NOARG:
            raise TemplateError(f"{where}: can't pipe into a non-function")
        return self._arg(head, dot, scopes, where)

    def _call(self, fn: str, ops: list[Operand], dot: Any, scopes: list[dict], where: str, piped: Any) -> Any:
        if fn in ("and", "or"):
            thunks = [lambda o=o: self._arg(o, dot, scopes, where) for o in ops]
            if piped is not _NOARG:
                thunks.append(lambda: piped)
            if not thunks:
                raise TemplateError(f"{where}: {fn} needs arguments")
            v = None
            for t in thunks:
                v = t()
                if (fn == "and" and not truth(v)) or (fn == "or" and truth(v)):
                    return v
            return v
        args = [self._arg(o, dot, scopes, where) for o in ops]
        if piped is not _NOARG:
            args.append(piped)
        if fn == "include":
            if len(args) != 2:
                raise TemplateError(f"{where}: include needs a name and a value")
            name = strval(args[0])
            if name not in self.templates:
                raise TemplateError(f"{where}: include: no template {name!r}")
            self.include_depth += 1
            if self.include_depth > 100:
                raise TemplateError(f"{where}: include recursion too deep")
            try:
                out: list[str] = []
                self._exec(self.templates[name], args[1], [{"$": args[1]}], out)
                return "".join(out)
            finally:
                self.include_depth -= 1
        if fn == "tpl":
            raise TemplateError(f"{where}: tpl not supported")
        try:
            return BASE_FUNCS[fn](*args)
        except (TemplateError, RenderFail):
            raise
        except TypeError as e:
            raise TemplateError(f"{where}: wrong arguments to {fn}: {e}") from e


class _NoArg:
    pass


_NOARG = _NoArg()
