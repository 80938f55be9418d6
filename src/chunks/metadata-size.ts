// The size Loki counts for structured metadata: UTF-8 bytes of names and values. Pure; remembers
// only the last object asked about (entries usually share one), never mutates it.
import type { Labels } from '../model/labels.js';

let lastMetadata: Labels | undefined;
let lastMetadataBytes = 0;

/** UTF-8 bytes of metadata names and values (0 for none). */
export function metadataBytes(metadata: Labels | undefined): number {
  if (metadata === undefined) return 0;
  if (metadata === lastMetadata) return lastMetadataBytes;
  let n = 0;
  for (const l of metadata) n += Buffer.byteLength(l.name) + Buffer.byteLength(l.value);
  lastMetadata = metadata;
  lastMetadataBytes = n;
  return n;
}
