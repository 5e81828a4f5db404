"""ESLint with Discourse's own configuration (@discourse/lint-configs) on the plugin's JavaScript."""

from tests.plugin import tooling


def test_eslint_finds_no_problem(node_modules: None) -> None:
    result = tooling.npx("eslint", "--max-warnings=0", "assets", "test", "harness")
    assert result.returncode == 0, tooling.report(result)
