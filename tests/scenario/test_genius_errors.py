"""Malformed or unsupported GENIUS XML: a message naming the file and the element, never a
traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from backchannel.scenario.errors import ScenarioError
from backchannel.scenario.genius import read_genius, read_genius_path

DOMAIN = """<negotiation_template><utility_space><objective index="0" name="root">
<issue index="1" name="colour" type="discrete">
  <item index="1" value="red"/><item index="2" value="blue"/>
</issue>
<issue index="2" name="size" type="integer" lowerbound="1" upperbound="3"/>
</objective></utility_space></negotiation_template>"""

PROFILE = """<utility_space><objective index="0" name="root">
<issue index="1" name="colour" type="discrete">
  <item index="1" value="red" evaluation="1.0"/><item index="2" value="blue" evaluation="0.5"/>
</issue>
<issue index="2" name="size" type="integer" lowerbound="1" upperbound="3">
  <evaluator ftype="linear" offset="0" slope="0.5"/>
</issue>
<weight index="1" value="0.6"/><weight index="2" value="0.4"/>
</objective><reservation value="0.2"/></utility_space>"""


def write(folder: Path, domain: str = DOMAIN, profile: str = PROFILE) -> tuple[Path, list[Path]]:
    (folder / "t-domain.xml").write_text(domain)
    (folder / "t-a.xml").write_text(profile)
    (folder / "t-b.xml").write_text(PROFILE)
    return folder / "t-domain.xml", [folder / "t-a.xml", folder / "t-b.xml"]


def problem(tmp_path: Path, domain: str = DOMAIN, profile: str = PROFILE) -> str:
    domain_file, profiles = write(tmp_path, domain, profile)
    with pytest.raises(ScenarioError) as caught:
        read_genius(domain_file, profiles)
    return caught.value.render()


def test_the_valid_pair_reads(tmp_path):
    domain_file, profiles = write(tmp_path)
    spec = read_genius(domain_file, profiles)
    assert [i.id for i in spec.issues] == ["colour", "size"]


@pytest.mark.parametrize(
    ("old", "new", "expected", "where"),
    [
        ('name="root">', 'name="root"><objective name="sub"/>', "nested objectives", "<objective"),
        ('type="integer" lowerbound', 'type="set" lowerbound', "issue type 'set'", 'name="size"'),
        ('lowerbound="1" upperbound="3"/>', "/>", "has no bounds", 'name="size"'),
        ('upperbound="3"', 'upperbound="0"', "below lowerbound", 'name="size"'),
        ('<item index="2" value="blue"/>', '<item index="2"/>', "without a 'value'", "<item"),
        ('value="blue"/>', 'value="red"/>', "listed twice", 'value="red"'),
        ('<issue index="1" name="colour"', '<issue index="1" name="size"', "declared twice", ""),
    ],
)
def test_domain_problems(tmp_path, old, new, expected, where):
    message = problem(tmp_path, domain=DOMAIN.replace(old, new, 1))
    assert "t-domain.xml" in message
    assert expected in message
    assert where in message


@pytest.mark.parametrize(
    ("old", "new", "expected", "where"),
    [
        ('evaluation="0.5"', 'evaluation="lots"', "not a number", 'value="blue"'),
        ('evaluation="0.5"', 'evaluation="-1"', "negative", 'value="blue"'),
        ('evaluation="0.5"', "", "missing attribute 'evaluation'", 'value="blue"'),
        ('value="blue" evaluation', 'value="green" evaluation', "not a value of issue", "green"),
        (
            '<item index="2" value="blue" evaluation="0.5"/>',
            "",
            "no evaluation for value(s) blue",
            'name="colour"',
        ),
        ('name="size" type="integer"', 'name="weight" type="integer"', "not in the domain", ""),
        ('<weight index="2" value="0.4"/>', "", "no <weight> for issue 'size'", "<objective"),
        ('<weight index="2"', '<weight index="7"', "weight index 7 matches no issue", "<weight"),
        ('ftype="linear"', 'ftype="faratin"', "ftype 'faratin' is not supported", "<evaluator"),
        ('<reservation value="0.2"/>', '<reservation value="1.5"/>', "outside [0, 1]", ""),
        (
            "</objective>",
            '<utility_function><ufun type="PlainUfun"/></utility_function></objective>',
            "hyper-rectangle",
            "<utility_function>",
        ),
        (
            '<item index="1" value="red" evaluation="1.0"/><item index="2" value="blue" '
            'evaluation="0.5"/>',
            '<evaluator ftype="linear" slope="1" offset="0"/>',
            "<evaluator> on discrete issue",
            "<evaluator>",
        ),
    ],
)
def test_profile_problems(tmp_path, old, new, expected, where):
    assert old in PROFILE
    message = problem(tmp_path, profile=PROFILE.replace(old, new, 1))
    assert "t-a.xml" in message
    assert expected in message
    assert where in message


def test_not_well_formed_names_the_line(tmp_path):
    message = problem(tmp_path, profile=PROFILE.replace("</issue>", "</isue>", 1))
    assert "t-a.xml:4" in message and "not well-formed XML" in message


def test_entities_are_refused(tmp_path):
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + DOMAIN
    message = problem(tmp_path, domain=bomb)
    assert "document type declaration" in message


def test_files_in_the_wrong_order(tmp_path):
    domain_file, profiles = write(tmp_path)
    with pytest.raises(ScenarioError, match=r"utility profile .* not a domain"):
        read_genius(profiles[0], [domain_file, profiles[1]])
    with pytest.raises(ScenarioError, match="this is a domain"):
        read_genius(domain_file, [domain_file, profiles[1]])


def test_one_profile_is_not_a_negotiation(tmp_path):
    domain_file, profiles = write(tmp_path)
    with pytest.raises(ScenarioError, match="at least two utility profiles"):
        read_genius(domain_file, profiles[:1])


def test_folder_problems(tmp_path):
    with pytest.raises(ScenarioError, match=r"exactly one GENIUS domain file .* found none"):
        read_genius_path(tmp_path)
    write(tmp_path)
    (tmp_path / "t-b.xml").unlink()
    with pytest.raises(ScenarioError, match="found 1 GENIUS utility profile"):
        read_genius_path(tmp_path)
    (tmp_path / "other-domain.xml").write_text(DOMAIN)
    with pytest.raises(ScenarioError, match=r"other-domain\.xml, t-domain\.xml"):
        read_genius_path(tmp_path)


def test_missing_file_is_named(tmp_path):
    domain_file, profiles = write(tmp_path)
    with pytest.raises(ScenarioError, match="cannot read the file"):
        read_genius(domain_file, [profiles[0], tmp_path / "nowhere.xml"])
