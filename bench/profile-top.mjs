#!/usr/bin/env node
// Prints the top frames of V8 .cpuprofile files (self time and total time, by function and file:line),
// as bench/NOTES.md records them. Reads profiles only; never touches the server.
//
// Usage: node bench/profile-top.mjs [--top N] [--total] file.cpuprofile...
import fs from 'node:fs';
import path from 'node:path';

const argv = process.argv.slice(2);
let top = 15;
let byTotal = false;
const files = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--top') top = Number(argv[++i]);
  else if (argv[i] === '--total') byTotal = true;
  else files.push(argv[i]);
}

function frameName(cf) {
  const file = cf.url ? path.basename(cf.url.replace(/^file:\/\//, '')) : '';
  const fn = cf.functionName || '(anonymous)';
  return file ? `${fn} ${file}:${cf.lineNumber + 1}` : fn;
}

function summarize(file) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  const deltas = prof.timeDeltas;
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
  }
  const totalUs = prof.endTime - prof.startTime;
  const self = new Map();
  const total = new Map();
  for (const [id, us] of selfUs) {
    const name = frameName(byId.get(id).callFrame);
    self.set(name, (self.get(name) ?? 0) + us);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const n = frameName(byId.get(cur).callFrame);
      if (seen.has(n)) continue;
      seen.add(n);
      total.set(n, (total.get(n) ?? 0) + us);
    }
  }
  const idle = (self.get('(idle)') ?? 0) + (self.get('(program)') ?? 0);
  const rows = [...(byTotal ? total : self)].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(`## ${path.basename(file)}: ${(totalUs / 1000).toFixed(0)} ms wall, ${((totalUs - idle) / 1000).toFixed(0)} ms busy`);
  console.log(`| ${byTotal ? 'total' : 'self'} ms | % | frame |`);
  console.log('|---:|---:|---|');
  for (const [name, us] of rows) console.log(`| ${(us / 1000).toFixed(0)} | ${((100 * us) / totalUs).toFixed(1)} | ${name.replaceAll('|', '\\|')} |`);
  console.log('');
}

for (const f of files) summarize(f);
