"""What the analyses' words mean, in the sentences the report, ``kg chains --help`` and the JSON print.

Kept apart from the code (and free of imports) so that ``--help`` can print
them without loading networkx.
"""

from __future__ import annotations

__all__ = ["CHAIN_DEFINITION", "RECIPROCITY_DEFINITION", "SIDE_RULE"]

#: What a chain is, in the words the report and ``kg chains --help`` print.
CHAIN_DEFINITION = (
    "A chain starts with a coercive act (a sanction, a detention or arrest, an expulsion, a threat) that answers no "
    "other coercive act, and follows its answers: the acts another side links to it as a response (kg:respondsTo: a "
    "counter-sanction, an arrest, a threat) and the statements of another side about it with a hostile stance "
    "(condemnation, accusation, denial, threat, call, concern); then the answers to those answers, and so on. "
    "Each chain is a tree in time order, each act in it once. An answer is never linked to an act that comes after "
    "it: a link whose answer is dated before the act it answers (by its date, or by its latest possible date "
    "against the act's earliest) is left out and listed apart. Statements by the act's own side (a defence of its "
    "own act) or with a supportive stance (praise, justification, commitment) are support, listed apart, and "
    "statements of any other stance are comments; neither is an answer."
)

#: What reciprocity counts, in the words the report prints.
RECIPROCITY_DEFINITION = (
    "Reciprocity counts coercive acts (sanctions, detentions, expulsions, threats) of one side against the other "
    "side's people: an act counts once, whether its targets are named, only counted (\"eight officials\", \"two "
    "Canadians\") or both; acts against actors on no side are listed apart. It is the smaller count over the larger "
    "(1: as many acts each way, 0: one-sided), over all the years shown: read it with the dates of the first and "
    "last act each way."
)

#: The rule by which actors are placed on sides, in the words the report prints; ``queries/sides.rq`` is its code.
SIDE_RULE = (
    "Each actor counts for its side: the state or bloc reached by following its affiliation, nationality, base, "
    "sub-organisation, post and membership links as far as they go (a Member of the European Parliament, "
    "Germany's Mercator Institute and Germany itself all count for the European Union); an actor that no link "
    "leads to a state or bloc is on no side: it is named, and never counted as a side."
)
