// Parses every Ruby file of the plugin with Prism (Ruby 3.4 syntax, the Ruby that Discourse runs)
// and prints each syntax error; exits 1 when there is one.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { loadPrism } from "@ruby/prism";

const root = new URL("..", import.meta.url).pathname;
const skip = new Set(["node_modules", "harness", ".git"]);

function rubyFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (skip.has(name)) {
      return [];
    }
    if (statSync(path).isDirectory()) {
      return rubyFiles(path);
    }
    return name.endsWith(".rb") ? [path] : [];
  });
}

const parse = await loadPrism();
let failures = 0;
const files = rubyFiles(root);
for (const file of files) {
  const source = readFileSync(file, "utf8");
  const result = parse(source);
  for (const error of result.errors) {
    failures += 1;
    const offset = error.location.startOffset;
    const line = Buffer.from(source).subarray(0, offset).toString().split("\n").length;
    console.log(`${relative(root, file)}:${line}: ${error.message}`);
  }
}
console.log(`${files.length} Ruby files parsed, ${failures} syntax errors`);
process.exit(failures ? 1 : 0);
