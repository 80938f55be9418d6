// Generates static protobuf code (gen/proto.js + gen/proto.d.ts) from every proto/*.proto with
// protobufjs-cli; skips the work when the outputs are newer than the inputs. Never edit gen/ by hand.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, 'proto');
const genDir = join(root, 'gen');
const outJs = join(genDir, 'proto.js');
const outDts = join(genDir, 'proto.d.ts');

const protoFiles = readdirSync(protoDir)
  .filter((f) => f.endsWith('.proto'))
  .sort()
  .map((f) => join(protoDir, f));

function isUpToDate() {
  if (!existsSync(outJs) || !existsSync(outDts)) return false;
  const newestInput = Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs, ...protoFiles.map((f) => statSync(f).mtimeMs));
  return Math.min(statSync(outJs).mtimeMs, statSync(outDts).mtimeMs) >= newestInput;
}

function run(main, args) {
  return new Promise((resolvePromise, reject) => {
    main(args, (err) => (err ? reject(err) : resolvePromise()));
  });
}

async function generate() {
  const require = createRequire(import.meta.url);
  const { pbjs, pbts } = require('protobufjs-cli');
  mkdirSync(genDir, { recursive: true });
  // Write under temporary names and rename at the end, so a concurrent reader never sees half a file.
  const tmpJs = join(genDir, `proto.${process.pid}.tmp.js`);
  const tmpDts = join(genDir, `proto.${process.pid}.tmp.d.ts`);
  try {
    await run(pbjs.main, ['-t', 'static-module', '-w', 'es6', '-o', tmpJs, ...protoFiles]);
    await run(pbts.main, ['-o', tmpDts, tmpJs]);
    renameSync(tmpJs, outJs);
    renameSync(tmpDts, outDts);
  } finally {
    rmSync(tmpJs, { force: true });
    rmSync(tmpDts, { force: true });
  }
}

if (protoFiles.length === 0) {
  console.error('gen-proto: no .proto files in proto/');
  process.exit(1);
}
if (!isUpToDate()) {
  await generate();
  console.log(`gen-proto: generated gen/proto.js and gen/proto.d.ts from ${protoFiles.length} file(s)`);
}
