import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configToYaml, loadConfig, parseByteSize } from '../../src/config/load.js';

function writeConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lokits-config-'));
  const p = join(dir, 'config.yml');
  writeFileSync(p, text);
  return p;
}

describe('config loading', () => {
  it('loads the seed stack\'s Loki config unchanged and reports the keys it does not use', () => {
    const { config, ignoredKeys } = loadConfig(['-config.file=test/fixtures/seed-loki-config.yml']);
    expect(config.auth_enabled).toBe(false);
    expect(config.server.http_listen_port).toBe(3100);
    expect(config.ingester.chunk_idle_period).toBe(5n * 60n * 1_000_000_000n);
    expect(config.ingester.chunk_retain_period).toBe(30n * 1_000_000_000n);
    expect(config.ingester.lifecycler.ring.replication_factor).toBe(1);
    expect(config.ingester.lifecycler.ring.kvstore.store).toBe('inmemory');
    expect(config.storage_config.filesystem.directory).toBe('/tmp/loki/chunks');
    expect(config.storage_config.object_store).toBe('filesystem');
    expect(config.limits_config.reject_old_samples).toBe(true);
    expect(config.limits_config.reject_old_samples_max_age).toBe(168n * 3600n * 1_000_000_000n);
    expect(ignoredKeys.sort()).toEqual(['limits_config.enforce_metric_name', 'schema_config', 'storage_config.boltdb']);
  });

  it('lets flags override YAML, with Loki\'s flag names', () => {
    const p = writeConfig('server:\n  http_listen_port: 3100\ntarget: all\n');
    const { config } = loadConfig([`-config.file=${p}`, '-target=querier,ingester', '-server.http-listen-port=4100', '-log.level=debug', '-ingester.wal-enabled=false']);
    expect(config.target).toEqual(['querier', 'ingester']);
    expect(config.server.http_listen_port).toBe(4100);
    expect(config.server.log_level).toBe('debug');
    expect(config.ingester.wal.enabled).toBe(false);
  });

  it('defaults to a single-process setup under ./data without a config file', () => {
    const { config } = loadConfig([]);
    expect(config.auth_enabled).toBe(false);
    expect(config.target).toEqual(['all']);
    expect(config.storage_config.filesystem.directory).toBe(join('data', 'chunks'));
    expect(config.ingester.wal.dir).toBe(join('data', 'wal'));
    expect(config.ingester.lifecycler.ring.replication_factor).toBe(1);
  });

  it('takes the common section for paths, replication and the ring store', () => {
    const p = writeConfig(
      'auth_enabled: true\ncommon:\n  path_prefix: /var/loki\n  replication_factor: 3\n  ring:\n    kvstore:\n      store: redis\n      redis:\n        endpoint: 127.0.0.1:6379\n',
    );
    const { config } = loadConfig([`-config.file=${p}`]);
    expect(config.auth_enabled).toBe(true);
    expect(config.ingester.wal.dir).toBe('/var/loki/wal');
    expect(config.storage_config.filesystem.directory).toBe('/var/loki/chunks');
    expect(config.ingester.lifecycler.ring.replication_factor).toBe(3);
    expect(config.ingester.lifecycler.ring.kvstore.store).toBe('redis');
    expect(config.ingester.lifecycler.ring.kvstore.redis.endpoint).toBe('127.0.0.1:6379');
    expect(config.distributor.ring.kvstore.store).toBe('redis');
  });

  it('reads sizes and durations in Loki\'s units', () => {
    expect(parseByteSize('256KB', 'x')).toBe(262144);
    expect(parseByteSize('1.5MiB', 'x')).toBe(1572864);
    expect(parseByteSize(1024, 'x')).toBe(1024);
    const p = writeConfig('ingester:\n  max_chunk_age: 1h30m\n  chunk_target_size: 2MB\nlimits_config:\n  max_line_size: 10KB\n  reject_old_samples_max_age: 1w\n');
    const { config } = loadConfig([`-config.file=${p}`]);
    expect(config.ingester.max_chunk_age).toBe(5400n * 1_000_000_000n);
    expect(config.ingester.chunk_target_size).toBe(2 * 1024 * 1024);
    expect(config.limits_config.max_line_size).toBe(10240);
    expect(config.limits_config.reject_old_samples_max_age).toBe(7n * 24n * 3600n * 1_000_000_000n);
    expect(configToYaml(config)).toContain('max_chunk_age: 1h30m');
  });

  it('refuses unknown flags, bad values and unknown targets with a clear message', () => {
    expect(() => loadConfig(['-no.such-flag=1'])).toThrow(new ConfigError('flag provided but not defined: -no.such-flag'));
    expect(() => loadConfig(['-target=everything'])).toThrow('unrecognised module name: everything');
    const p = writeConfig('ingester:\n  max_chunk_age: soon\n');
    expect(() => loadConfig([`-config.file=${p}`])).toThrow('invalid duration for ingester.max_chunk_age: "soon"');
  });
});
