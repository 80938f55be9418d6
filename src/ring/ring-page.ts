// The /ring status page: an HTML table like dskit's ring page and its JSON form ({"shards":[...],"now":...},
// dskit's field names). Pure rendering from a snapshot: no I/O, no clock (the caller passes now).
import { formatGoDuration, formatRFC3339, formatRFC3339Nano, NS_PER_MS } from '../model/time.js';
import { isHeartbeatHealthy, sortedInstanceIds, type RingDesc } from './model.js';
import { MAX_UINT32, ownedTokenSpace } from './tokens.js';

/** One row of the page, with dskit's JSON field names; ownership (percent of the token space) is our addition. */
export interface RingPageShard {
  id: string;
  /** The instance's state, or "UNHEALTHY" when its heartbeat is older than the timeout. */
  state: string;
  address: string;
  timestamp: string;
  registered_timestamp: string;
  read_only: boolean;
  read_only_updated_timestamp: string;
  zone: string;
  tokens: number[];
  ownership: number;
}

export interface RingPageJSON {
  shards: RingPageShard[];
  now: string;
}

/** Go's zero time.Time in JSON. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

const msToNs = (ms: number): bigint => BigInt(Math.trunc(ms)) * NS_PER_MS;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Go's fmt %.3g: three significant digits, exponent form below 1e-4 or from 1e3 on. */
function formatSignificant3(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const [mantissa, expText] = v.toExponential(2).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 3) {
    const m = mantissa.replace(/\.?0+$/, '');
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return Number(v.toFixed(Math.max(0, 2 - exp))).toString();
}

/** Go's time.Format("15:04:05.999") in UTC: fraction digits trimmed, the dot dropped when none remain. */
function clockTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const frac = String(d.getUTCMilliseconds()).padStart(3, '0').replace(/0+$/, '');
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac ? '.' + frac : ''}`;
}

function pageShards(desc: RingDesc, nowMs: number, heartbeatTimeoutMs: number): RingPageShard[] {
  const owned = ownedTokenSpace(desc);
  return sortedInstanceIds(desc).map((id) => {
    const inst = desc.instances[id];
    return {
      id,
      state: isHeartbeatHealthy(inst, heartbeatTimeoutMs, nowMs) ? inst.state : 'UNHEALTHY',
      address: inst.addr,
      timestamp: formatRFC3339Nano(msToNs(inst.heartbeatMs)),
      registered_timestamp: inst.registeredMs > 0 ? formatRFC3339Nano(msToNs(inst.registeredMs)) : GO_ZERO_TIME,
      read_only: false,
      read_only_updated_timestamp: GO_ZERO_TIME,
      zone: inst.zone ?? '',
      tokens: [...inst.tokens],
      ownership: ((owned.get(id) ?? 0) / MAX_UINT32) * 100,
    };
  });
}

function renderHtml(json: RingPageJSON, desc: RingDesc, nowMs: number, showTokens: boolean): string {
  const rows = json.shards.map((s, i) => {
    const inst = desc.instances[s.id];
    const age = formatGoDuration(msToNs(Math.floor((nowMs - inst.heartbeatMs) / 1000) * 1000));
    const health = s.state === 'UNHEALTHY' ? 'UNHEALTHY' : 'healthy';
    return [
      i % 2 === 0 ? '<tr>' : '<tr bgcolor="#BEBEBE">',
      `<td>${escapeHtml(s.id)}</td>`,
      `<td>${escapeHtml(s.zone)}</td>`,
      `<td>${inst.state}</td>`,
      `<td>${escapeHtml(s.address)}</td>`,
      `<td>${inst.registeredMs > 0 ? formatRFC3339(msToNs(inst.registeredMs)) : ''}</td>`,
      `<td>${age} ago (${clockTime(inst.heartbeatMs)})</td>`,
      `<td>${s.tokens.length}</td>`,
      `<td>${formatSignificant3(s.ownership)}%</td>`,
      `<td>${health}</td>`,
      `<td><button name="forget" value="${escapeHtml(s.id)}" type="submit">Forget</button></td>`,
      '</tr>',
    ].join('');
  });
  const tokenSections = showTokens
    ? json.shards.map((s) => `<h2>Instance: ${escapeHtml(s.id)}</h2>\n<p>Tokens:<br/>\n${s.tokens.join(' ')}\n</p>`)
    : [];
  return [
    '<!DOCTYPE html>',
    '<html>',
    '<head>',
    '<meta charset="UTF-8">',
    '<title>Ring Status</title>',
    '</head>',
    '<body>',
    '<h1>Ring Status</h1>',
    `<p>Current time: ${json.now}</p>`,
    '<form action="" method="POST">',
    '<table width="100%" border="1">',
    '<thead>',
    '<tr><th>Instance ID</th><th>Availability Zone</th><th>State</th><th>Address</th><th>Registered At</th><th>Last Heartbeat</th><th>Tokens</th><th>Ownership</th><th>Health</th><th>Actions</th></tr>',
    '</thead>',
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table>',
    '<br>',
    showTokens
      ? `<input type="button" value="Hide Tokens" onclick="window.location.href = '?tokens=false'"/>`
      : `<input type="button" value="Show Tokens" onclick="window.location.href = '?tokens=true'"/>`,
    ...tokenSections,
    '</form>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Renders the ring page for a snapshot. json is what Accept: application/json gets; html lists the same
 * rows (the State column keeps the registered state, Health says whether the heartbeat is fresh).
 */
export function renderRingPage(
  desc: RingDesc,
  nowMs: number,
  heartbeatTimeoutMs: number,
  opts: { showTokens?: boolean } = {},
): { html: string; json: RingPageJSON } {
  const json: RingPageJSON = { shards: pageShards(desc, nowMs, heartbeatTimeoutMs), now: formatRFC3339Nano(msToNs(nowMs)) };
  return { html: renderHtml(json, desc, nowMs, opts.showTokens ?? false), json };
}
