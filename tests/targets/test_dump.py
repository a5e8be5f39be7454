"""The shared dumpers: readable, deterministic text that reads back to the same data."""

from __future__ import annotations

import json

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from generator.targets import dump
from generator.targets.dump import GENERATED_HEADER, FlowList, FlowMap, json_text, yaml_text

DATA = {
    "groups": [{"name": "checkout", "rules": [{
        "record": "slo:sli_error:ratio_rate5m",
        "expr": "sum(rate(errors[5m]))\n/\nsum(rate(total[5m]))",
        "labels": {"team": "shop", "empty": "", "on": "yes", "number": "017"},
        "annotations": {"description": "the tracker's P95: {{ $value }}"},
    }]}],
    "times": [{"start_time": SingleQuotedScalarString("17:00")}],
    "nothing": None,
}


def test_yaml_reads_back_to_the_same_data_under_both_yaml_versions() -> None:
    text = yaml_text(DATA, ["slos/b.yaml", "slos/a.yaml", "slos/a.yaml"])
    assert text.startswith(f"{GENERATED_HEADER}\n# Source: slos/a.yaml\n# Source: slos/b.yaml\n")
    expected = json.loads(json.dumps(DATA))
    expected["groups"][0]["rules"][0]["expr"] += "\n"  # literal blocks end with a newline
    assert YAML(typ="safe", pure=True).load(text) == expected
    old = YAML(typ="safe", pure=True)
    old.version = (1, 1)
    assert old.load(text)["times"] == [{"start_time": "17:00"}]


def test_yaml_layout_is_block_style_with_literal_blocks_and_readable_quotes() -> None:
    text = yaml_text(DATA)
    assert ("  - record: slo:sli_error:ratio_rate5m\n"
            "    expr: |\n      sum(rate(errors[5m]))\n") in text
    assert "description: \"the tracker's P95: {{ $value }}\"\n" in text
    assert "start_time: '17:00'\n" in text
    assert "{" not in text.replace("{{ $value }}", "")  # no flow style anywhere
    assert text.endswith("\n") and yaml_text(DATA) == text


def test_yaml_writes_a_shared_subtree_out_in_full() -> None:
    labels = {"team": "shop"}
    text = yaml_text({"a": labels, "b": labels})
    assert "&" not in text and "*" not in text
    assert text.endswith("a:\n  team: shop\nb:\n  team: shop\n")


def test_json_has_sorted_keys_two_space_indent_and_a_final_newline() -> None:
    data = {"b": [1, {"d": "é", "c": []}], "a": {}}
    assert json_text(data) == json.dumps(data, sort_keys=True, ensure_ascii=False,
                                         separators=(", ", ": ")) + "\n"
    wide = {"b": [1, {"d": "é" * 120, "c": [1, 2]}], "a": {"x": None}}
    assert json_text(wide) == (
        '{\n  "a": {"x": null},\n  "b": [\n    1,\n    {\n      "c": [1, 2],\n'
        f'      "d": "{"é" * 120}"\n    }}\n  ]\n}}\n')
    assert json.loads(json_text(wide)) == wide


def test_json_keeps_what_fits_in_its_width_on_one_line() -> None:
    # 100 columns: the "steps" list fits at its indent, the object around it does not.
    steps = [{"color": "red", "value": None}, {"color": "green", "value": 0.5}]
    text = json_text({"thresholds": {"mode": "absolute", "steps": steps, "pad": "x" * 40}})
    assert '    "steps": [{"color": "red", "value": null}, {"color": "green", "value": 0.5}]\n' \
        in text
    assert all(len(line) <= 100 for line in text.splitlines())


def test_json_writes_an_object_seen_before_by_the_room_where_it_stands() -> None:
    item = {"k": "v" * 84}  # 93 characters on one line: fits at 4 columns in, not at 10
    text = json_text({"a": item, "b": {"c": item}})
    assert f'  "a": {{"k": "{"v" * 84}"}},\n' in text
    assert f'    "c": {{\n      "k": "{"v" * 84}"\n    }}\n' in text
    assert json.loads(text) == {"a": item, "b": {"c": item}}


def test_json_writes_a_long_object_seen_before_at_its_own_indent() -> None:
    item = {"k": "v" * 120}  # one member per line wherever it stands
    text = json_text({"a": item, "b": {"c": item}, "d": [item]})
    line = f'"k": "{"v" * 120}"'
    assert text == (f'{{\n  "a": {{\n    {line}\n  }},\n  "b": {{\n    "c": {{\n      {line}\n'
                    f'    }}\n  }},\n  "d": [\n    {{\n      {line}\n    }}\n  ]\n}}\n')


@pytest.mark.parametrize("count", [0, 1, 3, 700])
def test_a_list_dumped_in_chunks_is_the_list_dumped_at_once(count: int) -> None:
    items = [{"name": f"case {i}", "labels": FlowMap({"a": "x", "n": str(i)}),
              "receivers": FlowList(["pager", "chat"]), "note": "two\nlines" if i % 7 else "'q'"}
             for i in range(count)]
    assert dump.yaml_list_text("tests", items, ["b.yaml", "a.yaml"], chunk=256) == \
        dump.yaml_text({"tests": items}, ["b.yaml", "a.yaml"])


def test_json_lines_count_characters_not_bytes() -> None:
    from generator.targets.dump import JSON_WIDTH, json_text

    longest = JSON_WIDTH - len('{"t": ""}')
    assert json_text({"t": "\u00e9" * longest}).count("\n") == 1  # on one line
    assert json_text({"t": "\u00e9" * (longest + 1)}).count("\n") == 3
