"""The plugin's Ruby: parsed as Ruby 3.4 (Prism, the parser of the Ruby Discourse runs), linted by
Debian's rubocop, and its contract validator run by Debian's Ruby on the contract's examples."""

import json

from tests.plugin import tooling

CONTRACT = tooling.PLUGIN / "contract"


def test_ruby_parses_as_ruby_3_4(node_modules: None) -> None:
    result = tooling.run("node", "--no-warnings", "bin/check-ruby-syntax.mjs")
    assert result.returncode == 0, tooling.report(result)
    assert " 0 syntax errors" in result.stdout


def test_rubocop_finds_no_offense() -> None:
    rubocop = tooling.require_program("rubocop", "rubocop")
    result = tooling.run(rubocop, "--format", "simple", "--cache", "false")
    assert result.returncode == 0, tooling.report(result)


RUBY_CHECK = """
require "json"
require_relative "lib/codev/contract"
out = {}
ARGV.each do |path|
  name = File.basename(path).split("__").first
  doc = JSON.parse(File.read(path))
  out[path] =
    name == "topic_state" ? Codev::Contract.topic_state_errors(doc) : Codev::Contract.errors(doc, name)
end
puts JSON.generate(out)
"""


def test_ruby_contract_validator_agrees_with_the_examples() -> None:
    ruby = tooling.require_program("ruby", "ruby")
    valid = sorted((CONTRACT / "examples").glob("*.json"))
    invalid = sorted((CONTRACT / "examples" / "invalid").glob("*.json"))
    result = tooling.run(ruby, "-e", RUBY_CHECK, *map(str, valid + invalid))
    assert result.returncode == 0, tooling.report(result)
    errors = json.loads(result.stdout)
    for path in valid:
        assert errors[str(path)] == [], f"{path.name}: {errors[str(path)]}"
    for path in invalid:
        assert errors[str(path)], f"{path.name} passed the Ruby validator"
