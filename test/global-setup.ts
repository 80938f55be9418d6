// Runs once before the suite: generates protobuf code and builds dist/ (tests start the built
// server as a child process, exactly as `npm start` runs it). Type errors do not stop the build
// here (tsc still emits); `npm test` type-checks the whole project before running vitest.
import { spawnSync, execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/gen-proto.mjs'], { stdio: 'inherit' });
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`warning: tsc reported errors (dist/ was still emitted):\n${r.stdout}${r.stderr}`);
}
