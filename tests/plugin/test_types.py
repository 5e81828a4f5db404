"""Glint (ember-tsc) against @discourse/types: imports exist, components get the arguments they declare."""

from tests.plugin import tooling


def test_glint_type_check_passes(node_modules: None) -> None:
    result = tooling.npx("ember-tsc", "--noEmit", "-p", "tsconfig.json")
    assert result.returncode == 0, tooling.report(result)


def test_glint_reports_a_wrong_argument(node_modules: None) -> None:
    probe = tooling.PLUGIN / "assets" / "javascripts" / "discourse" / "components" / "zz-glint-probe.gjs"
    probe.write_text('import DButton from "discourse/ui-kit/d-button";\n\n'
                     "<template><DButton @notAnArgument={{true}} /></template>\n")
    try:
        result = tooling.npx("ember-tsc", "--noEmit", "-p", "tsconfig.json")
    finally:
        probe.unlink()
    assert result.returncode != 0 and "notAnArgument" in result.stdout, tooling.report(result)
