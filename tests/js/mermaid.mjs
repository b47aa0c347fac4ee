// Parse Mermaid diagrams with Mermaid's own parser: node mermaid.mjs FILE...
// Prints one JSON array of {file, ok, type, error}; exit 0 whatever it finds.
import fs from "node:fs";
import { JSDOM } from "jsdom";

// Mermaid's sanitizer (DOMPurify) needs a DOM, even to parse.
const { window } = new JSDOM("");
globalThis.window = window;
globalThis.document = window.document;
for (const name of ["Element", "HTMLElement", "Node", "DocumentFragment", "NodeFilter"]) {
  globalThis[name] = window[name];
}
const mermaid = (await import("mermaid")).default;
mermaid.initialize({ startOnLoad: false });

const results = [];
for (const file of process.argv.slice(2)) {
  try {
    const parsed = await mermaid.parse(fs.readFileSync(file, "utf8"));
    results.push({ file, ok: true, type: parsed.diagramType, error: null });
  } catch (error) {
    results.push({ file, ok: false, type: null, error: String(error.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
