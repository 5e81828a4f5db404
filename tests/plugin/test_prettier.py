"""Prettier with Discourse's configuration: the plugin's JavaScript, templates and styles are formatted."""

from tests.plugin import tooling


def test_prettier_formatting_is_clean(node_modules: None) -> None:
    result = tooling.npx("prettier", "--check", "assets/**/*.{js,gjs,scss}", "test/**/*.js",
                         "harness/**/*.{js,gjs,mjs}")
    assert result.returncode == 0, tooling.report(result)
