"""Small pieces laid out together: a class set has hundreds of pieces that are one line in a bare frame (a question's
number, an option with its letter, a key's answer line, a character of a version code). WeasyPrint spends most of
its time per element, and such a piece is mostly wrapper and frame, so pieces with the same frame are laid out as
the members of one frame, one under another, and each member is measured and cut as a piece of its own.

A member's drawing is the same as alone only when no style rule sees its new siblings (`:first-child`, `p + p`, a
frame's `::first-line`…); the layout's stylesheets are read for such a rule, and with one the pieces stay apart."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable

GROUP_SIZE = 40  # members of one frame: a group must fit on a page of the pieces document
GROUP_ATTRIBUTE = "data-qg-group"
MEMBER_ATTRIBUTE = "data-qg-member"
# elements that stack as blocks in the built-in layouts; a member of another kind (an inline element, a table row
# but in a table of a set width) is left alone, and measuring checks that the members really stack
BLOCK_TAGS = {"p", "div", "header", "footer", "section", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
FRAMELESS_CLASSES = {"qg-top-right"}  # the running header's parts: one line each, in no frame
STRUCTURAL = {"first-child", "last-child", "only-child", "first-of-type", "last-of-type", "only-of-type",
              "nth-child", "nth-last-child", "nth-of-type", "nth-last-of-type", "empty", "has"}
LINE_PSEUDO_ELEMENTS = {"first-line", "first-letter"}
VOID_TAGS = {"br", "img", "hr", "meta", "link", "input", "col", "wbr", "area", "base", "source", "track", "embed"}
TAG = re.compile(r"""<(/?)([A-Za-z][\w-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*/?>""")
CLASS = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


@dataclass(frozen=True)
class Framed:
    """A piece that is one element (`member`) in a bare frame (`opening` … `closing`; both empty for no frame)."""

    opening: str
    closing: str
    member: str

    @property
    def frame(self) -> tuple[str, str]:
        return self.opening, self.closing


def framed_member(html: str) -> Framed | None:
    """`html` as a member in its frame, when it is one: a bare element (`qg-bare`, so nothing of its own is drawn)
    holding exactly one block element and no text of its own, or a running-header part; else None."""
    html = html.strip()
    outer = _only_element(html)
    if outer is None:
        return None
    tag, opening, inner, closing = outer
    if tag in BLOCK_TAGS and _classes(opening) & FRAMELESS_CLASSES:
        return Framed("", "", html)
    if "qg-bare" not in _classes(opening):
        return None
    member = _only_element(inner.strip())
    if member is None or not _stacks_in(tag, opening, member[0]):
        return None
    return Framed(opening, closing, inner.strip())


def _stacks_in(frame_tag: str, frame_opening: str, member_tag: str) -> bool:
    """Members of this kind stack in this frame whatever else is among them: blocks in a block, or rows of a
    table whose width is its own (so that the width of its column does not follow the widest row's content)."""
    if frame_tag == "table":
        return member_tag == "tr" and re.search(r"""\sstyle\s*=\s*["'][^"']*\bwidth\s*:""", frame_opening) is not None
    return frame_tag in BLOCK_TAGS and member_tag in BLOCK_TAGS


def _only_element(html: str) -> tuple[str, str, str, str] | None:
    """(tag, opening tag, content, closing tag) when `html` is one element and nothing else."""
    first = TAG.match(html)
    if first is None or first[1] or first[2].lower() in VOID_TAGS:
        return None
    tag = first[2].lower()
    depth = 0
    for found in TAG.finditer(html):
        name = found[2].lower()
        if name in VOID_TAGS or found[0].endswith("/>"):
            continue
        depth += -1 if found[1] else 1
        if depth == 0:
            if found.end() != len(html) or name != tag:
                return None
            return tag, first[0], html[first.end():found.start()], found[0]
    return None


def _classes(opening: str) -> set[str]:
    found = CLASS.search(opening)
    return set((found[1] or found[2] or found[3] or "").split()) if found else set()


def with_member_id(member: str, piece_id: str) -> str:
    """The member's HTML with the id of the piece it stands for, in an attribute no layout styles."""
    tag = TAG.match(member)
    return f'{member[:tag.end(2)]} {MEMBER_ATTRIBUTE}="{piece_id}"{member[tag.end(2):]}'


def grouped_wrappers(pieces: dict[str, str], group_size: int = GROUP_SIZE) -> list[str]:
    """The pieces document's wrappers: a group of up to `group_size` members for each frame that several pieces
    share (in the order their first members came), then every other piece in a wrapper of its own."""
    by_frame: dict[tuple[str, str], list[tuple[str, str]]] = {}
    alone: list[str] = []
    for piece_id, html in pieces.items():
        framed = framed_member(html)
        if framed is None:
            alone.append(piece_id)
        else:
            by_frame.setdefault(framed.frame, []).append((piece_id, framed.member))
    wrappers = [f'<div class="qg-piece" id="{piece_id}">{pieces[piece_id]}</div>' for piece_id in alone]
    number = 0
    for (opening, closing), members in by_frame.items():
        if len(members) == 1:
            piece_id = members[0][0]
            wrappers.append(f'<div class="qg-piece" id="{piece_id}">{pieces[piece_id]}</div>')
            continue
        for start in range(0, len(members), group_size):
            inside = "".join(with_member_id(member, piece_id) for piece_id, member in members[start:start + group_size])
            wrappers.append(f'<div class="qg-piece" id="qg-group-{number}" {GROUP_ATTRIBUTE}="">'
                            f"{opening}{inside}{closing}</div>")
            number += 1
    return wrappers


def members_stand_alone(stylesheets: Iterable[str], pieces: Iterable[str]) -> bool:
    """No rule of `stylesheets` can tell a member laid out among others from one alone in its frame: none
    matches a member's element by its place among siblings (a structural pseudo-class, a sibling combinator),
    none styles a frame's first line or letter, and none imports another stylesheet, which is not read here."""
    members: set[tuple[str, frozenset[str]]] = set()
    frames: set[tuple[str, frozenset[str]]] = set()
    for html in pieces:
        framed = framed_member(html)
        if framed is not None:
            members.add(_tag_and_classes(framed.member))
            if framed.opening:
                frames.add(_tag_and_classes(framed.opening))
    for text in stylesheets:
        for rule in rule_selectors(text):
            if rule is None or not _rule_is_safe(rule, members, frames):
                return False
    return True


def classes_styled(stylesheets: Iterable[str]) -> frozenset[str] | None:
    """Every class name a selector of `stylesheets` mentions (inside :not() and :is() too): a class no rule
    mentions styles nothing, so an element looks the same without it. None when a rule reads the class attribute
    as text ([class…]) or another stylesheet is imported, as any class may then matter."""
    names: set[str] = set()
    for text in stylesheets:
        for rule in rule_selectors(text):
            found = None if rule is None else _class_names(rule)
            if found is None:
                return None
            names |= found
    return frozenset(names)


def _class_names(rule: tuple) -> set[str] | None:
    import cssselect2.parser as selectors

    names: set[str] = set()
    pending = [selector.parsed_tree for selector in rule]
    while pending:
        tree = pending.pop()
        for compound, _ in _compounds(tree):
            for simple in _simple_selectors(compound):
                if isinstance(simple, selectors.ClassSelector):
                    names.add(simple.class_name)
                elif isinstance(simple, selectors.AttributeSelector) and simple.lower_name == "class":
                    return None
                for inner in getattr(simple, "selector_list", ()) or ():
                    pending.append(getattr(inner, "parsed_tree", inner))
    return names


def without_unstyled_classes(opening: str, styled: frozenset[str]) -> str:
    """An element's opening tag without the class names no rule mentions (and without its class attribute when
    none is left)."""
    found = CLASS.search(opening)
    if found is None:
        return opening
    kept = [name for name in (found[1] or found[2] or found[3] or "").split() if name in styled]
    return opening[:found.start()] + (f' class="{" ".join(kept)}"' if kept else "") + opening[found.end():]


def _tag_and_classes(html: str) -> tuple[str, frozenset[str]]:
    tag = TAG.match(html)
    return tag[2].lower(), frozenset(_classes(tag[0]))


@functools.lru_cache(maxsize=16)
def stylesheet_rules(text: str) -> tuple:
    """A stylesheet's top-level rules as tinycss2 parses them (whitespace and comments skipped), once per process
    for each text: the pieces' groups and the running header (compose.py) both read them."""
    import tinycss2

    return tuple(tinycss2.parse_stylesheet(text, skip_whitespace=True, skip_comments=True))


@functools.lru_cache(maxsize=16)
def rule_selectors(text: str) -> tuple[tuple | None, ...]:
    """The parsed selectors of every style rule of a stylesheet, inside @media and @supports too (none for a rule
    WeasyPrint cannot parse, which styles nothing); None for an @import. Read once for all the questions asked of
    one stylesheet."""
    import cssselect2.parser as selectors

    rules: list[tuple | None] = []
    for prelude in _style_rule_preludes(stylesheet_rules(text)):
        try:
            rules.append(None if prelude is None else tuple(selectors.parse(prelude)))
        except selectors.SelectorError:
            rules.append(())
    return tuple(rules)


def _style_rule_preludes(rules) -> Iterable:
    """The selector lists of every style rule, inside @media and @supports too; None for an @import."""
    import tinycss2

    for rule in rules:
        if rule.type == "qualified-rule":
            yield rule.prelude
        elif rule.type == "at-rule" and rule.lower_at_keyword == "import":
            yield None
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content:
            yield from _style_rule_preludes(tinycss2.parse_rule_list(rule.content, skip_whitespace=True,
                                                                     skip_comments=True))


def _rule_is_safe(rule: tuple, members, frames) -> bool:
    for selector in rule:
        compounds = list(_compounds(selector.parsed_tree))
        for i, (compound, combinator_before) in enumerate(compounds):
            combinator_after = compounds[i + 1][1] if i + 1 < len(compounds) else None
            sibling = combinator_before in ("+", "~") or combinator_after in ("+", "~")
            if (sibling or _is_structural(compound)) and any(_may_match(compound, e) for e in members):
                return False
            if _has_relational(compound):
                return False
        subject = compounds[-1][0]
        if selector.pseudo_element in LINE_PSEUDO_ELEMENTS and any(_may_match(subject, e) for e in frames):
            return False
    return True


def _compounds(tree, combinator=None) -> Iterable[tuple[object, str | None]]:
    """The compound selectors of a selector, left to right, each with the combinator before it."""
    import cssselect2.parser as selectors

    if isinstance(tree, selectors.CombinedSelector):
        yield from _compounds(tree.left, combinator)
        yield from _compounds(tree.right, tree.combinator)
    else:
        yield tree, combinator


def _simple_selectors(compound) -> list:
    return list(getattr(compound, "simple_selectors", [compound]))


def _is_structural(compound) -> bool:
    """A pseudo-class that looks at an element's siblings, here or inside :not(), :is() and their kind."""
    import cssselect2.parser as selectors

    for simple in _simple_selectors(compound):
        if isinstance(simple, (selectors.PseudoClassSelector, selectors.FunctionalPseudoClassSelector)) \
                and simple.name.lower() in STRUCTURAL:
            return True
        for inner in getattr(simple, "selector_list", ()) or ():
            if any(_is_structural(c) or c_combinator in ("+", "~")
                   for c, c_combinator in _compounds(getattr(inner, "parsed_tree", inner))):
                return True
    return False


def _has_relational(compound) -> bool:
    import cssselect2.parser as selectors

    return any(isinstance(s, selectors.RelationalSelector) for s in _simple_selectors(compound))


def _may_match(compound, element: tuple[str, frozenset[str]]) -> bool:
    """Whether `compound` could match an element of this tag and these classes (and no id): only a type or class
    selector that the element does not meet rules it out; anything else is taken to match."""
    import cssselect2.parser as selectors

    tag, classes = element
    for simple in _simple_selectors(compound):
        if isinstance(simple, selectors.LocalNameSelector) and simple.lower_local_name != tag:
            return False
        if isinstance(simple, selectors.ClassSelector) and simple.class_name not in classes:
            return False
        if isinstance(simple, selectors.IDSelector):
            return False
    return True
