// Builds the render harness: the plugin's own .gjs components, unchanged, compiled like Discourse
// compiles them (content-tag, then Ember's template compiler through Babel) and rendered with
// ember-source's renderComponent; Discourse's imports are small stubs in ./stubs.
import { transformAsync } from "@babel/core";
import { Preprocessor } from "content-tag";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { parse as parseYaml } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const pluginRoot = resolve(here, "..");
const require = createRequire(import.meta.url);
const emberPackages = resolve(
  pluginRoot,
  "node_modules/ember-source/dist/prod/packages"
);
const stubs = {
  "discourse/ui-kit/d-button": resolve(here, "stubs/d-button.gjs"),
  "discourse/lib/ajax": resolve(here, "stubs/ajax.js"),
  "discourse/lib/ajax-error": resolve(here, "stubs/ajax-error.js"),
  "discourse-i18n": resolve(here, "stubs/discourse-i18n.js"),
};

function resolveEmber(id) {
  for (const candidate of [`${id}/index.js`, `${id}.js`]) {
    try {
      readFileSync(resolve(emberPackages, candidate));
      return resolve(emberPackages, candidate);
    } catch {
      // try the next shape
    }
  }
  return null;
}

function discourseStubs() {
  return {
    name: "codev-harness-resolve",
    enforce: "pre",
    resolveId(id) {
      if (stubs[id]) {
        return stubs[id];
      }
      if (id === "virtual:codev-locales") {
        return "\0codev-locales";
      }
      const ownPackage = id === "@glimmer/component" || id === "@glimmer/env";
      if (!ownPackage && /^(@ember|@glimmer|@simple-dom)\//.test(id)) {
        return resolveEmber(id);
      }
      if (
        [
          "ember",
          "rsvp",
          "backburner.js",
          "dag-map",
          "route-recognizer",
          "router_js",
        ].includes(id)
      ) {
        return resolveEmber(id);
      }
      return null;
    },
    load(id) {
      if (id !== "\0codev-locales") {
        return null;
      }
      const locales = {};
      for (const lang of ["fr", "ar", "en"]) {
        const file = resolve(pluginRoot, `config/locales/client.${lang}.yml`);
        locales[lang] = parseYaml(readFileSync(file, "utf8"))[lang].js;
      }
      return `export default ${JSON.stringify(locales)};`;
    },
  };
}

function glimmerTemplates() {
  const preprocessor = new Preprocessor();
  return {
    name: "codev-harness-gjs",
    async transform(code, id) {
      if (!id.endsWith(".gjs") && !id.endsWith(".js")) {
        return null;
      }
      if (id.includes("node_modules")) {
        return null;
      }
      const source = id.endsWith(".gjs")
        ? preprocessor.process(code, { filename: id }).code
        : code;
      const result = await transformAsync(source, {
        filename: id,
        babelrc: false,
        configFile: false,
        plugins: [
          [
            require.resolve("babel-plugin-ember-template-compilation"),
            {
              compilerPath: resolve(
                emberPackages,
                "ember-template-compiler/index.js"
              ),
              targetFormat: "wire",
            },
          ],
          [
            require.resolve("decorator-transforms"),
            { runtime: { import: "decorator-transforms/runtime" } },
          ],
        ],
        sourceMaps: true,
      });
      return { code: result.code, map: result.map };
    },
  };
}

export default defineConfig({
  root: here,
  logLevel: "warn",
  plugins: [discourseStubs(), glimmerTemplates()],
  resolve: { extensions: [".mjs", ".js", ".gjs", ".json"] },
  build: {
    outDir: resolve(pluginRoot, "../var/plugin-harness"),
    emptyOutDir: true,
    minify: false,
    target: "es2022",
  },
});
