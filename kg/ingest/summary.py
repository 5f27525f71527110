"""What ``kg add`` prints: what was drafted, what to review, and what the rules could not do."""

from __future__ import annotations

from pathlib import Path

__all__ = ["summary"]


def summary(draft, written: list[Path]) -> str:
    existing = sorted(a.label for a in draft.actors if a.existing)
    new = sorted(f"{a.label} ({a.kind})" for a in draft.actors if not a.existing)
    lines = [f"Drafted article:{draft.slug}" + (f", dated {draft.published.isoformat()} ({draft.published_how})" if draft.published else ", no date (give --published)")]
    lines.append(f"  actors: {len(existing)} already in the graph ({', '.join(existing) or 'none'})")
    lines.append(f"          {len(new)} new ({', '.join(new) or 'none'})")
    if draft.acts:
        lines.append(f"  acts:   {len(draft.acts)}")
        for act in draft.acts:
            who = act.actor.label if act.actor else "unstated"
            targets = ", ".join(t.label for t in act.targets) or "; ".join(act.descriptions) or ""
            counts = ", ".join(f"{n} {k}s" for k, n in act.counts.items())
            extra = f" -> {targets}" if targets else ""
            extra += f" [{counts}]" if counts else ""
            if act.responds:
                extra += " (answers " + ", ".join(getattr(a, "actor", None).label if getattr(a, "actor", None) else str(a.iri).rsplit('/', 1)[-1] for a in act.responds) + ")"
            lines.append(f"          {act.kind}: {who}{extra}")
    else:
        lines.append("  acts:   none: the rules recognised no act in this article; only the article and its actors are drafted")
    curated = getattr(draft, "_curated_blocks", [])
    if curated:
        lines.append(f"  curated dates: {len(curated)} (in data/curation.ttl, each with its reason)")
    for note in draft.notes:
        lines.append(f"  note: {note}")
    lines.append("Wrote " + ", ".join(str(p) for p in written))
    lines.append(f"Everything drafted is unconfirmed: check it with `kg review {draft.slug}`, correct the file where it is wrong,")
    lines.append("confirm with `kg review --confirm ID...`, then `kg build`.")
    return "\n".join(lines)
