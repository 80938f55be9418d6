// The ObjectStore contract every backend (filesystem, S3) implements, and its not-found error.
// Holds no backend code: backends live in their own files.

/** A flat key → bytes store with atomic puts. Keys are `/`-separated paths without empty segments. */
export interface ObjectStore {
  /** Stores the object atomically: readers see the old object, no object, or the whole new one. */
  put(key: string, data: Uint8Array): Promise<void>;
  /** The whole object; throws ObjectNotFoundError when it does not exist. */
  get(key: string): Promise<Uint8Array>;
  /** Bytes [offset, offset+length), shorter when the object ends first; ObjectNotFoundError when missing. */
  getRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  /** Every key starting with `prefix`, sorted, all pages read. */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; a missing object is not an error. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

/** Rejects keys that cannot map to a path safely: empty, absolute, `.`/`..` segments, NUL, backslash. */
export function validateObjectKey(key: string): void {
  if (key === '' || key.startsWith('/') || key.endsWith('/') || key.includes('\0') || key.includes('\\'))
    throw new TypeError(`invalid object key: ${JSON.stringify(key)}`);
  for (const segment of key.split('/'))
    if (segment === '' || segment === '.' || segment === '..')
      throw new TypeError(`invalid object key: ${JSON.stringify(key)}`);
}

export function validateRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0)
    throw new RangeError(`invalid range: offset ${offset}, length ${length}`);
}
