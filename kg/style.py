"""What the report and the exports show alike: a colour for each side, and how a node is named.

Both :mod:`kg.report` (the network picture) and :mod:`kg.export` (GEXF
colours, node labels) read these, so a side has the same colour in the report
and in Gephi.
"""

from __future__ import annotations

from typing import Iterable, Mapping

__all__ = ["PALETTE", "UNPLACED", "UNPLACED_LABEL", "node_label", "side_colours"]

#: A categorical palette (Paul Tol's "bright" and "muted"), distinct for up to 16 sides.
PALETTE = (
    (68, 119, 170), (238, 102, 119), (34, 136, 51), (204, 187, 68), (102, 204, 238), (170, 51, 119),
    (136, 34, 85), (17, 119, 51), (51, 34, 136), (221, 204, 119), (136, 204, 238), (68, 170, 153),
    (153, 153, 51), (204, 102, 119), (170, 68, 153), (221, 221, 221),
)
#: The colour of actors on no side.
UNPLACED = (150, 150, 150)
#: What an actor on no side shows as its side.
UNPLACED_LABEL = "(no side)"


def side_colours(sides: Iterable[str]) -> dict[str, tuple[int, int, int]]:
    """A distinct colour for each side, stable for the same set of sides (sorted order).

    Examples
    --------
    >>> side_colours(["b", "a"]) == {"a": PALETTE[0], "b": PALETTE[1]}
    True
    """
    return {side: PALETTE[i % len(PALETTE)] for i, side in enumerate(sorted(set(sides)))}


def node_label(node: str, labels: Mapping[str, str]) -> str:
    """An actor's label, else the end of its IRI.

    Examples
    --------
    >>> node_label("https://w3id.org/sanctions-kg/id/actor/china", {}), node_label("x", {"x": "X"})
    ('china', 'X')
    """
    return labels.get(node) or node.rsplit("/", 1)[-1]
