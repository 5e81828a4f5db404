"""ember-template-lint with Discourse's configuration on the templates of the .gjs files."""

from tests.plugin import tooling


def test_template_lint_finds_no_problem(node_modules: None) -> None:
    result = tooling.npx("ember-template-lint", "assets/javascripts", "test/javascripts")
    assert result.returncode == 0, tooling.report(result)
