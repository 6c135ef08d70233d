"""Property-based tests: for any input the parsers return a value or the project's own error, nothing else."""

from __future__ import annotations

import posixpath
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.errors import BuildError
from sitegen.loading.frontmatter import split_front_matter
from sitegen.loading.urls import is_inside, is_safe_slug, normalize_alias, output_file, page_path, slugify
from sitegen.loading.yamlsrc import load_yaml
from sitegen.rendering.markdown import ConversionState, expand_data

pytestmark = pytest.mark.slow  # fuzzing: 300 examples each
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
yaml_like = st.text(alphabet=st.sampled_from(list("ab:- \n'\"[]{}#&*!|>%@`,?.0123456789ąłż\t")), max_size=80)


@SETTINGS
@given(st.one_of(st.text(max_size=200), yaml_like))
def test_yaml_loader_returns_a_value_or_a_build_error(text):
    try:
        load_yaml(text, "x.yaml", first_line=3)
    except BuildError as error:
        assert all(p.path == "x.yaml" and p.line >= 3 for p in error.problems)


@SETTINGS
@given(st.one_of(st.text(max_size=200), yaml_like.map(lambda t: "---\n" + t + "\n---\nbody")))
def test_front_matter_splitter_returns_a_split_or_a_build_error(text):
    try:
        split = split_front_matter(text, "p.md")
    except BuildError as error:
        assert all(p.path == "p.md" and p.line >= 1 for p in error.problems)
    else:
        assert isinstance(split.meta, dict) and split.body_line >= 3


@SETTINGS
@given(st.text(max_size=60))
def test_slugify_gives_a_safe_single_segment_or_nothing(text):
    slug = slugify(text)
    assert slug == "" or is_safe_slug(slug)
    assert "/" not in slug and ".." not in slug and " " not in slug


@SETTINGS
@given(st.lists(st.text(max_size=20), max_size=5))
def test_pages_built_from_safe_slugs_stay_inside_output(parts):
    slugs = tuple(s for s in parts if is_safe_slug(s))
    path = output_file(page_path("pl", slugs))
    assert is_inside(path) and path.startswith("pl/") and path.endswith("index.html")
    assert posixpath.normpath(path) == path


@SETTINGS
@given(st.text(max_size=60))
def test_aliases_are_safe_or_refused(alias):
    normalized = normalize_alias(alias)
    assert normalized is None or (
        is_inside(normalized) and all(is_safe_slug(p) for p in normalized.strip("/").split("/"))
    )


def resolve(target):
    return ("known.md", "/pl/known/") if target == "known.md" else (None, "no such page")


@SETTINGS
@given(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(
            [
                "known.md",
                "known.md#a",
                "javascript:x",
                "http://[",
                "#",
                "data:text/html,x",
                " JavaScript:alert(1)",
                "//evil",
                "x.md",
                "https://example.org/a",
                "mailto:a@b.pl",
                "#anchor",
            ]
        ),
    )
)
def test_link_resolver_returns_a_url_or_reports_a_problem(target):
    """A link is left as written, led to its page, or replaced by '#' with a problem: never an unsafe one."""
    state = ConversionState("p.md", f"[a]({target})", 5, resolve)
    result = state.rewrite(target)
    assert all(p.path == "p.md" and p.line == 5 for p in state.problems)
    if state.problems:
        assert result == "#" and len(state.problems) == 1
    elif target.split("#")[0] == "known.md":
        assert result == "/pl/known/" + target[len("known.md") :]
    else:
        assert result == target
    lowered = result.lower().strip()
    assert not lowered.startswith(("javascript:", "vbscript:", "data:"))
    unsafe = re.match(r"^\s*(javascript|vbscript|data)\s*:", target, re.I)
    assert bool(unsafe) <= bool(state.problems)  # every script or data link is refused


PLACEHOLDERS = st.sampled_from(
    [
        "{{ data.s3.regions }}",
        "{{data.s3.regions}}",
        "{{ data.s3 | length }}",
        "{{ data.s3.region }}",
        "{{ data.s4.x }}",
        "{{ 1 + 1 }}",
        "{{ data.s3 }}",
    ]
)
VALUES = {"{{ data.s3.regions }}": "<145>", "{{data.s3.regions}}": "<145>", "{{ data.s3 | length }}": "<1>"}


@SETTINGS
@given(
    st.lists(
        st.one_of(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=20), PLACEHOLDERS), max_size=8
    )
)
def test_data_placeholders_expand_or_report(pieces):
    """Each placeholder becomes its value, or stays with a problem at its line; other text is untouched."""
    text = " ".join(pieces)
    body, problems = expand_data(text, {"s3": {"regions": 145}}, lambda n: f"<{n}>", "p.md", 4)
    assert body == " ".join(VALUES.get(piece, piece) for piece in pieces)
    assert len(problems) == sum(piece.startswith("{{") and piece not in VALUES for piece in pieces)
    assert all(p.path == "p.md" and 4 <= p.line <= 4 + text.count("\n") for p in problems)
