// Runs once before the suite: generates protobuf code and builds dist/ (tests start the built
// server as a child process, exactly as `npm start` runs it).
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/gen-proto.mjs'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
}
