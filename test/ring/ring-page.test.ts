import { describe, expect, it } from 'vitest';
import { renderRingPage, type InstanceDesc, type RingDesc } from '../../src/ring/index.js';

const NOW = Date.UTC(2026, 10, 23, 13, 34, 26, 462);
const TIMEOUT = 60_000;

function inst(id: string, tokens: number[], heartbeatAgeMs: number, extra: Partial<InstanceDesc> = {}): InstanceDesc {
  return { id, addr: `${id}:9095`, state: 'ACTIVE', tokens, heartbeatMs: NOW - heartbeatAgeMs, registeredMs: Date.UTC(2026, 10, 23, 12, 0, 0), ...extra };
}

const desc: RingDesc = {
  instances: {
    'ingester-2': inst('ingester-2', [0x8000_0000], 3_250, { zone: 'zone-b' }),
    'ingester-1': inst('ingester-1', [0x4000_0000, 0xc000_0000], 500),
    'ingester-3': inst('ingester-3', [], 120_000, { state: 'PENDING', registeredMs: 0 }),
  },
};

describe('renderRingPage JSON', () => {
  const { json } = renderRingPage(desc, NOW, TIMEOUT);

  it('uses the ring page shape {"shards":[...],"now":...} with dskit field names, sorted by id', () => {
    expect(Object.keys(json)).toEqual(['shards', 'now']);
    expect(json.now).toBe('2026-11-23T13:34:26.462Z');
    expect(json.shards.map((s) => s.id)).toEqual(['ingester-1', 'ingester-2', 'ingester-3']);
    expect(json.shards[1]).toEqual({
      id: 'ingester-2',
      state: 'ACTIVE',
      address: 'ingester-2:9095',
      timestamp: '2026-11-23T13:34:23.212Z',
      registered_timestamp: '2026-11-23T12:00:00Z',
      read_only: false,
      read_only_updated_timestamp: '0001-01-01T00:00:00Z',
      zone: 'zone-b',
      tokens: [0x8000_0000],
      ownership: (0x4000_0000 / 0xffff_ffff) * 100,
    });
  });

  it('reports an instance whose heartbeat is older than the timeout as UNHEALTHY, whatever its state', () => {
    expect(json.shards[2].state).toBe('UNHEALTHY');
    expect(json.shards[2].registered_timestamp).toBe('0001-01-01T00:00:00Z');
  });

  it('gives each instance its share of the token space in percent', () => {
    expect(json.shards.map((s) => s.ownership)).toEqual([
      (0xc000_0000 / 0xffff_ffff) * 100,
      (0x4000_0000 / 0xffff_ffff) * 100,
      0,
    ]);
  });
});

describe('renderRingPage HTML', () => {
  const { html } = renderRingPage(desc, NOW, TIMEOUT);
  const rows = html.split('\n').filter((line) => line.startsWith('<tr') && line.includes('<td>'));

  it('renders one row per instance with id, zone, state, address, registration, heartbeat age, tokens, ownership and health', () => {
    expect(rows).toHaveLength(3);
    expect(rows[0]).toBe(
      '<tr><td>ingester-1</td><td></td><td>ACTIVE</td><td>ingester-1:9095</td><td>2026-11-23T12:00:00Z</td>' +
        '<td>0s ago (13:34:25.962)</td><td>2</td><td>75%</td><td>healthy</td>' +
        '<td><button name="forget" value="ingester-1" type="submit">Forget</button></td></tr>',
    );
    expect(rows[1]).toContain('<td>zone-b</td>');
    expect(rows[1]).toContain('<td>3s ago (13:34:23.212)</td><td>1</td><td>25%</td><td>healthy</td>');
    expect(rows[2]).toContain('<td>PENDING</td><td>ingester-3:9095</td><td></td><td>2m0s ago (13:32:26.462)</td><td>0</td><td>0%</td><td>UNHEALTHY</td>');
  });

  it('posts forget=<id> from each row and offers to show tokens', () => {
    expect(html).toContain('<form action="" method="POST">');
    expect(html).toContain(`onclick="window.location.href = '?tokens=true'"`);
    expect(html).not.toContain('Tokens:<br/>');
  });

  it('lists every token when asked to', () => {
    const shown = renderRingPage(desc, NOW, TIMEOUT, { showTokens: true }).html;
    expect(shown).toContain(`<h2>Instance: ingester-1</h2>\n<p>Tokens:<br/>\n${0x4000_0000} ${0xc000_0000}\n</p>`);
    expect(shown).toContain(`onclick="window.location.href = '?tokens=false'"`);
  });

  it('escapes text taken from the ring', () => {
    const evil: RingDesc = { instances: { '<b>': inst('<b>', [1], 0, { addr: 'a"b:1', zone: "z'1" }) } };
    const page = renderRingPage(evil, NOW, TIMEOUT).html;
    expect(page).toContain('<td>&#60;b&#62;</td><td>z&#39;1</td><td>ACTIVE</td><td>a&#34;b:1</td>');
    expect(page).not.toContain('<b>');
  });

  it('shows ownership with three significant digits, as Go %.3g', () => {
    const thirds: RingDesc = {
      instances: {
        a: inst('a', [0], 0),
        b: inst('b', [Math.floor(0xffff_ffff / 3)], 0),
        c: inst('c', [Math.floor((0xffff_ffff / 3) * 2)], 0),
        d: inst('d', [Math.floor((0xffff_ffff / 3) * 2) + 4], 0),
      },
    };
    const cells = renderRingPage(thirds, NOW, TIMEOUT)
      .html.split('\n')
      .filter((l) => l.startsWith('<tr') && l.includes('<td>'))
      .map((l) => /<td>([^<]*%)<\/td>/.exec(l)?.[1]);
    expect(cells).toEqual(['33.3%', '33.3%', '33.3%', '9.31e-08%']);
  });
});
