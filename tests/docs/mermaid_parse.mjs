// Parse Mermaid files as Mermaid itself does (mermaid.parse), with jsdom for the DOM it sanitises with.
// Run by tests/docs/test_graph.py from a copy beside a node_modules link to .tools/node_modules (`make tools`).
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
let failed = false;
for (const path of process.argv.slice(2)) {
  try { const r = await mermaid.parse(readFileSync(path, 'utf8')); console.log(`${path}: ok: ${r.diagramType}`); }
  catch (e) { failed = true; console.log(`${path}: error: ${(e.message || String(e)).split('\n').join(' ')}`); }
}
process.exit(failed ? 1 : 0);
