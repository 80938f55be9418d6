// Runs once before the suite: generates protobuf code from proto/ so tests see the same code as the build.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export default function setup(): void {
  if (existsSync('scripts/gen-proto.mjs')) execFileSync(process.execPath, ['scripts/gen-proto.mjs'], { stdio: 'inherit' });
}
