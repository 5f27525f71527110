"""`kg query` on the command line: each mistake an analyst makes is exit 2 with a message that says what to type."""

from __future__ import annotations


import pytest

from kg.cli import main


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("out")
    assert main(["-q", "build", "--out", str(out)]) == 0
    return str(out / "kg.trig")


def _run(capsys, graph, *args) -> tuple[int, str, str]:
    code = main(["-q", "query", *args, "--dataset", graph])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_required_parameter_left_out(graph, capsys):
    # `kg query posts` used to answer for Wu Yingjie, the header's example, without a word
    code, out, err = _run(capsys, graph, "posts")
    assert (code, out) == (2, "")
    assert err == (
        "kg query: error: query posts needs parameter person (actor, required): the person (a name or an IRI)\n"
        '  give it with --param person=VALUE, e.g. kg query posts --param person="Wu Yingjie"\n'
    )


def test_optional_parameter_left_out_means_all(graph, capsys):
    # every counter-sanction: the article's one by China, with its nine named targets
    code, out, _ = _run(capsys, graph, "counter-sanctions")
    assert code == 0 and "(9 rows)" in out


def test_unknown_query_name_did_you_mean(graph, capsys):
    code, _, err = _run(capsys, graph, "sanction-against")
    assert code == 2 and "no query named 'sanction-against'" in err and "did you mean sanctions-against" in err


def test_unknown_parameter_name_did_you_mean(graph, capsys):
    code, _, err = _run(capsys, graph, "sanctions-against", "--param", "targets=China")
    assert code == 2
    assert "query sanctions-against has no parameter targets" in err and "targets: did you mean target?" in err


def test_param_without_equals(graph, capsys):
    code, _, err = _run(capsys, graph, "sanctions-against", "--param", "China")
    assert code == 2 and "--param 'China': write NAME=VALUE" in err


def test_ambiguous_actor_lists_the_candidates(graph, capsys):
    # "Wang Junzheng", "Wang Mingshan" (2021) and "Wang Yi" (2024)
    code, out, err = _run(capsys, graph, "posts", "--param", "person=Wang")
    assert (code, out) == (2, "")
    assert "'Wang' fits 3 actors" in err
    for line in ("actor:wang-junzheng (Wang Junzheng)", "actor:wang-mingshan (Wang Mingshan)", "actor:wang-yi (Wang Yi)"):
        assert f"\n  {line}\n" in err
    assert "e.g. --param person=actor:wang-junzheng" in err


def test_every_printed_short_iri_is_taken_back(graph, capsys):
    """Whatever IRI a table prints, in the act column, can be given back as a parameter."""
    code, out, _ = _run(capsys, graph, "unnamed-targets")
    assert code == 0
    printed = [line.split()[0] for line in out.splitlines()[2:-1]]
    assert printed and all(p.startswith("act:") for p in printed)
    for short in printed:
        code, again, err = _run(capsys, graph, "evidence", "--param", f"fact={short}")
        assert code == 0, err
        assert again.splitlines()[2].startswith(short)
        code, once_more, _ = _run(capsys, graph, "unnamed-targets", "--param", f"act={short}")
        assert code == 0 and "(1 rows)" in once_more


def test_full_and_bracketed_iris_as_csv_and_tsv_print_them(graph, capsys):
    code, csv, _ = _run(capsys, graph, "round-acts", "--format", "csv")
    full = csv.splitlines()[1].split(",")[0]  # the round, in full
    assert code == 0 and full.startswith("https://")
    code, tsv, _ = _run(capsys, graph, "round-acts", "--format", "tsv")
    bracketed = tsv.splitlines()[1].split("\t")[0]  # N-Triples: <...>
    assert bracketed == f"<{full}>"
    for value in (full, bracketed):
        code, out, err = _run(capsys, graph, "round-acts", "--param", f"round={value}")
        assert code == 0 and "(3 rows)" in out, err


@pytest.mark.parametrize("value,message", [
    ("actor:chna", "actor:chna is not an actor; did you mean actor:china (China)"),
    ("actors:china", "unknown prefix 'actors'"),
    ("Nobody Atall", "no actor is called 'Nobody Atall' (kg query actors lists every actor)"),
])
def test_an_actor_that_is_not_there(graph, capsys, value, message):
    code, _, err = _run(capsys, graph, "sanctions-against", "--param", f"target={value}")
    assert code == 2 and message in err


def test_a_name_taken_by_a_forgiving_step_is_said(graph, capsys, caplog):
    # progress and notes go to the "kg" logger, which `kg` prints on stderr unless -q
    with caplog.at_level("INFO", logger="kg"):
        code = main(["query", "sanctions-against", "--param", "target=MERICS", "--dataset", graph])
    assert code == 0 and "Mercator Institute for China Studies" in capsys.readouterr().out
    assert "target='MERICS' taken as actor:mercator-institute-for-china-studies" in caplog.text


def test_a_wrong_type_is_named(graph, capsys, tmp_path):
    query = tmp_path / "since.rq"
    query.write_text(
        "#+ summary: acts since a day\n"
        "#+ params: {since: {type: date, required: true, example: 2021-03-22, description: the first day}}\n"
        "PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>\n"
        "SELECT ?since ?act WHERE { ?act kg:date ?since }\n"
    )
    code, _, err = _run(capsys, graph, str(query), "--param", "since=22/03/2021")
    assert code == 2
    assert "parameter since: expected a date as YYYY-MM-DD (e.g. 2021-03-22), got '22/03/2021'" in err
    code, out, _ = _run(capsys, graph, str(query), "--param", "since=2021-03-22")
    assert code == 0 and "act:cn-2021-03-counter-sanction" in out


def test_list_states_required_and_optional(capsys):
    assert main(["-q", "query", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "    fact: iri, required\n" in listing
    assert "    stance: concept of stance:, optional, all when not given\n" in listing
    assert "    side: actor (kg:State or kg:Bloc), optional, all when not given\n" in listing


def test_list_lines_fit_100_columns(capsys):
    assert main(["-q", "query", "--list"]) == 0
    assert max(map(len, capsys.readouterr().out.splitlines())) <= 100




def test_limit_and_offset_pages_continue_without_gaps_or_repeats(graph, capsys):
    # pages of 4 rows, put together, are the whole answer in the query's order
    code, whole, _ = _run(capsys, graph, "acts", "--format", "csv")
    assert code == 0
    header, *rows = whole.splitlines()
    assert len(rows) > 8
    pages, offset = [], 0
    while True:
        code, out, _ = _run(capsys, graph, "acts", "--format", "csv", "--limit", "4", "--offset", str(offset))
        assert code == 0 and out.splitlines()[0] == header
        page = out.splitlines()[1:]
        if not page:
            break
        pages.append(page)
        offset += 4
    assert [row for page in pages for row in page] == rows


def test_the_page_says_on_stderr_where_the_next_starts(graph, capsys):
    code = main(["query", "acts", "--limit", "2", "--offset", "3", "--dataset", graph])
    err = capsys.readouterr().err
    assert code == 0 and "rows 4-5 (more from offset 5)" in err


@pytest.mark.parametrize("args, message", [
    (["--limit", "0"], "argument --limit: must be at least 1, not 0"),
    (["--limit", "ten"], "argument --limit: not a whole number: 'ten'"),
    (["--offset", "-1"], "argument --offset: must be 0 or more, not -1"),
])
def test_a_bad_page_option_is_exit_2_with_a_message(graph, capsys, args, message):
    with pytest.raises(SystemExit) as exit_:
        main(["-q", "query", "acts", *args, "--dataset", graph])
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_paging_an_ask_query_is_exit_2(graph, capsys):
    code, out, err = _run(capsys, graph, "-e", "ASK { ?s ?p ?o }", "--limit", "3")
    assert (code, out) == (2, "")
    assert "--limit and --offset page the rows of a SELECT query; this is an ASK query" in err
