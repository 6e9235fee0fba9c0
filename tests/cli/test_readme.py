"""The README as a new user follows it (issue 8, point 15): every file it points to ships in
this repository, and the story's walk-through names the team lead who reviews the pull, the
one the demo makes lead of the pulling agent's team."""

from __future__ import annotations

import re
from pathlib import Path

from andon.demo.people import people

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _pointed_to() -> set[str]:
    """Relative links ([..](path)) and code spans that name a file (`dir/file.ext`)."""
    links = set(re.findall(r"\]\(([^)#\s]+)", README))
    spans = set(re.findall(r"`([\w.-]+(?:/[\w.-]+)+\.\w+)`", README))
    return {p for p in links | spans if not p.startswith(("http://", "https://", "mailto:", "/"))}


def test_every_file_the_readme_points_to_ships_in_this_repository():
    pointed = _pointed_to()
    assert len(pointed) > 10, pointed
    missing = sorted(p for p in pointed if not (ROOT / p).resolve().exists())
    assert not missing, f"the README points to files that are not in the repository: {missing}"
    outside = sorted(p for p in pointed if not (ROOT / p).resolve().is_relative_to(ROOT))
    assert not outside, f"the README points outside the repository: {outside}"


def test_the_readme_says_which_lead_reviews_the_storys_pull():
    """The walk-through's pull is made by one agent; the README names that agent's team lead
    (as the demo makes them) as the reviewer, and no other lead."""
    pulled = re.search(r"sign in as `(agent\d+)`[^.]*\border-b\b", README)
    assert pulled, "the walk-through says which agent pulls the cord"
    agent = pulled.group(1)
    team = next(p.team for p in people() if p.username == agent)
    lead = next(p.username for p in people() if p.role.endswith(f"({team})"))
    said = re.search(
        rf"The pull is `{agent}`'s, of team `{team}`, so `(lead\d+)` \(its team lead\) reviews it",
        README,
    )
    assert said, f"the README says who reviews {agent}'s pull"
    assert said.group(1) == lead
