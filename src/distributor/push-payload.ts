// The decoded form of a push request, before validation: raw label strings as the client sent
// them and entries with exact nanosecond timestamps. Pure types.
import type { Entry } from '../model/entry.js';

export interface PushStream {
  /** The stream's label set exactly as pushed, e.g. `{a="b", c="d"}` (not yet parsed or checked). */
  labels: string;
  entries: Entry[];
}

export interface PushPayload {
  streams: PushStream[];
}
