// Parses a Content-Type header like Go's mime.ParseMediaType: lower-cased media type, parameters
// checked, the same error texts ("mime: no media type"). Pure; throws only MediaTypeError.

export class MediaTypeError extends Error {}

const TSPECIALS = '()<>@,;:\\"/[]?=';

function isTokenChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return code > 0x20 && code < 0x7f && !TSPECIALS.includes(c);
}

/** Go unicode.IsSpace for the characters a header can hold. */
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r' || c === '\u0085' || c === '\u00a0';
}

function trimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && isSpace(s[i])) i++;
  return s.slice(i);
}

function consumeToken(s: string): [string, string] {
  let i = 0;
  while (i < s.length && isTokenChar(s[i])) i++;
  return [s.slice(0, i), s.slice(i)];
}

function consumeValue(s: string): [string, string] {
  if (s === '') return ['', s];
  if (s[0] !== '"') return consumeToken(s);
  let out = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (c === '"') return [out, s.slice(i + 1)];
    if (c === '\\' && i + 1 < s.length && TSPECIALS.includes(s[i + 1])) {
      out += s[i + 1];
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') return ['', s];
    out += c;
  }
  return ['', s];
}

/** One `; name=value` parameter; an empty name means none could be read. */
function consumeParam(s: string): [string, string, string] {
  let rest = trimLeftSpace(s);
  if (!rest.startsWith(';')) return ['', '', s];
  rest = trimLeftSpace(rest.slice(1));
  let name: string;
  [name, rest] = consumeToken(rest);
  name = name.toLowerCase();
  if (name === '') return ['', '', s];
  rest = trimLeftSpace(rest);
  if (!rest.startsWith('=')) return ['', '', s];
  rest = trimLeftSpace(rest.slice(1));
  const [value, after] = consumeValue(rest);
  if (value === '' && after === rest) return ['', '', s];
  return [name, value, after];
}

/** Returns the lower-cased media type ("application/json"); throws MediaTypeError as Go would fail. */
export function parseMediaType(header: string): string {
  const semicolon = header.indexOf(';');
  const base = semicolon === -1 ? header : header.slice(0, semicolon);
  const mediaType = base.toLowerCase().trim();
  const [type, afterType] = consumeToken(mediaType);
  if (type === '') throw new MediaTypeError('mime: no media type');
  if (afterType !== '') {
    if (!afterType.startsWith('/')) throw new MediaTypeError('mime: expected slash after first token');
    const [subtype, afterSubtype] = consumeToken(afterType.slice(1));
    if (subtype === '') throw new MediaTypeError('mime: expected token after slash');
    if (afterSubtype !== '') throw new MediaTypeError('mime: unexpected content after media subtype');
  }
  const params = new Map<string, string>();
  let rest = header.slice(base.length);
  while (rest.length > 0) {
    rest = trimLeftSpace(rest);
    if (rest.length === 0) break;
    const [name, value, after] = consumeParam(rest);
    if (name === '') {
      if (after.trim() === ';') break;
      throw new MediaTypeError('mime: invalid media parameter');
    }
    const seen = params.get(name);
    if (seen !== undefined && seen !== value) throw new MediaTypeError('mime: duplicate parameter name');
    params.set(name, value);
    rest = after;
  }
  return mediaType;
}
