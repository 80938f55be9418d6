// ObjectStore on a local directory: one file per key, written to a temp file, fsynced and renamed so
// readers never see a partial object. Never follows keys outside its directory; never lists temp files.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ObjectNotFoundError, validateObjectKey, validateRange, type ObjectStore } from './object-store.js';

/** Name prefix of in-flight writes; keys may not contain a segment starting with it. */
const TEMP_PREFIX = '.tmp-';

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

class FilesystemStore implements ObjectStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    validateObjectKey(key);
    const segments = key.split('/');
    if (segments.some((s) => s.startsWith(TEMP_PREFIX))) throw new TypeError(`invalid object key: ${JSON.stringify(key)}`);
    return path.join(this.root, ...segments);
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const target = this.pathOf(key);
    const dir = path.dirname(target);
    const temp = path.join(dir, `${TEMP_PREFIX}${path.basename(target)}-${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    try {
      const file = await open(temp, 'w');
      try {
        await file.writeFile(data);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (err) {
      if (isMissing(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    validateRange(offset, length);
    let file;
    try {
      file = await open(this.pathOf(key), 'r');
    } catch (err) {
      if (isMissing(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
    try {
      const out = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await file.read(out, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === length ? out : out.subarray(0, filled);
    } catch (err) {
      if (isMissing(err)) throw new ObjectNotFoundError(key);
      throw err;
    } finally {
      await file.close();
    }
  }

  async list(prefix: string): Promise<string[]> {
    const slash = prefix.lastIndexOf('/');
    const baseKey = slash < 0 ? '' : prefix.slice(0, slash);
    if (baseKey !== '') validateObjectKey(baseKey);
    const keys: string[] = [];
    await this.walk(baseKey === '' ? this.root : path.join(this.root, ...baseKey.split('/')), baseKey, prefix, keys);
    return keys.sort();
  }

  private async walk(dir: string, dirKey: string, prefix: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_PREFIX)) continue;
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      if (entry.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(key + '/')) await this.walk(path.join(dir, entry.name), key, prefix, out);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        out.push(key);
      }
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  async close(): Promise<void> {}
}

/** A store keeping each object as a file under `directory` (created on first put). */
export function createFilesystemStore(directory: string): ObjectStore {
  return new FilesystemStore(path.resolve(directory));
}
