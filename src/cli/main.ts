// logcli's command line (subcommands, flags, defaults, LOKI_* variables as Loki's logcli declares
// them), called by bin/logcli: parses and dispatches to the client and printers, formats nothing.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { goQuote } from '../model/labels.js';
import { nowNanos, parseGoDuration } from '../model/time.js';
import { LOGCLI_VERSION, LokiClient, type ClientOptions } from './client.js';
import { runVolume, runStats } from './index-queries.js';
import { runLabels } from './labels.js';
import { createLogOutput, OUTPUT_MODES, type OutputMode } from './output.js';
import { runQuery } from './query.js';
import { ResultPrinter } from './result-printer.js';
import { runSeries } from './series.js';
import { runTail } from './tail.js';
import { Colors, FatalError, GoLogger, processIO, StdoutBuffer, type CliIO } from './terminal.js';
import { parseRFC3339NanoFlag, TimeParseError, type TimeZone } from './time-format.js';

const HOUR = 3_600_000_000_000n;

interface GlobalFlags {
  quiet?: boolean;
  stats?: boolean;
  output: OutputMode;
  timezone: TimeZone;
  addr?: string;
  username?: string;
  password?: string;
  tlsSkipVerify?: boolean;
  orgId?: string;
  queryTags?: string;
  nocache?: boolean;
  bearerToken?: string;
  bearerTokenFile?: string;
  retries?: number;
  minBackoff?: number;
  maxBackoff?: number;
  authHeader?: string;
  queryTimeout?: bigint;
  header: [string, string][];
}

interface RangeFlags {
  since: bigint;
  from?: string;
  to?: string;
}

interface OutputFlags {
  forward?: boolean;
  labels: boolean;
  excludeLabel: string[];
  includeLabel: string[];
  labelsLength: number;
  coloredOutput?: boolean;
}

function parseIntFlag(v: string): number {
  if (!/^[+-]?\d+$/.test(v.trim()) || v.trim() !== v) throw new InvalidArgumentError(`strconv.ParseInt: parsing ${goQuote(v)}: invalid syntax`);
  return Number(v);
}

function parseDurationFlag(v: string): bigint {
  const d = parseGoDuration(v);
  if (d === undefined) throw new InvalidArgumentError(`time: invalid duration ${goQuote(v)}`);
  return d;
}

function parseHeaderFlag(v: string, prev: [string, string][]): [string, string][] {
  const i = v.indexOf(':');
  if (i <= 0) throw new InvalidArgumentError(`expected "Name: value", got ${goQuote(v)}`);
  return [...prev, [v.slice(0, i).trim(), v.slice(i + 1).trim()]];
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** A Go duration flag with its default shown the way logcli's help shows it. */
function durationOption(flags: string, description: string, def: bigint, defText: string): Option {
  return new Option(flags, description).argParser(parseDurationFlag).default(def, defText);
}

/** strconv.ParseBool, as kingpin reads boolean environment variables. */
function envBool(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new FatalError(`strconv.ParseBool: parsing ${goQuote(v)}: invalid syntax`);
}

function envInt(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw new FatalError(`strconv.ParseInt: parsing ${goQuote(v)}: invalid syntax`);
  return Number(v);
}

/** Flag on the command line, else the environment variable, else logcli's default. */
function clientOptions(g: GlobalFlags, env: CliIO['env']): ClientOptions {
  return {
    address: g.addr ?? env.LOKI_ADDR ?? 'http://localhost:3100',
    username: g.username ?? env.LOKI_USERNAME ?? '',
    password: g.password ?? env.LOKI_PASSWORD ?? '',
    orgID: g.orgId ?? env.LOKI_ORG_ID ?? '',
    queryTags: g.queryTags ?? env.LOKI_QUERY_TAGS ?? '',
    noCache: g.nocache ?? envBool(env.LOKI_NO_CACHE) ?? false,
    bearerToken: g.bearerToken ?? env.LOKI_BEARER_TOKEN ?? '',
    bearerTokenFile: g.bearerTokenFile ?? env.LOKI_BEARER_TOKEN_FILE ?? '',
    retries: g.retries ?? envInt(env.LOKI_CLIENT_RETRIES) ?? 0,
    minBackoffSeconds: g.minBackoff ?? envInt(env.LOKI_CLIENT_MIN_BACKOFF) ?? 0,
    maxBackoffSeconds: g.maxBackoff ?? envInt(env.LOKI_CLIENT_MAX_BACKOFF) ?? 0,
    authHeader: g.authHeader ?? env.LOKI_AUTH_HEADER ?? 'Authorization',
    headers: g.header,
    queryTimeoutMs: g.queryTimeout !== undefined ? Number(g.queryTimeout / 1_000_000n) : 0,
    tlsSkipVerify: g.tlsSkipVerify ?? envBool(env.LOKI_TLS_SKIP_VERIFY) ?? false,
  };
}

/** mustParse: an RFC3339Nano flag, or the default when it is empty. */
function flagTime(v: string | undefined, def: bigint): bigint {
  if (v === undefined || v === '') return def;
  try {
    return parseRFC3339NanoFlag(v);
  } catch (e) {
    if (e instanceof TimeParseError) throw new FatalError(`Unable to parse time ${e.message}`);
    throw e;
  }
}

function timeRange(f: RangeFlags): { start: bigint; end: bigint } {
  const now = nowNanos();
  return { start: flagTime(f.from, now - f.since), end: flagTime(f.to, now) };
}

/** kingpin's error line: "logcli: error: <message>, try --help". */
function kingpinError(commanderText: string): string {
  const message = commanderText.replace(/^error: /, '').replace(/\n+$/, '');
  return `logcli: error: ${message}, try --help\n`;
}

function addRangeFlags(cmd: Command, what: 'logs' | 'labels'): Command {
  return cmd
    .addOption(durationOption('--since <duration>', 'Lookback window.', HOUR, '1h'))
    .option('--from <time>', `Start looking for ${what} at this absolute time (inclusive)`)
    .option('--to <time>', `Stop looking for ${what} at this absolute time (exclusive)`);
}

function addOutputFlags(cmd: Command): Command {
  return cmd
    .option('--forward', 'Scan forwards through logs.')
    .option('--no-labels', 'Do not print any labels')
    .option('--exclude-label <name>', 'Exclude labels given the provided key during output.', collect, [])
    .option('--include-label <name>', 'Include labels given the provided key during output.', collect, [])
    .option('--labels-length <n>', 'Set a fixed padding to labels', parseIntFlag, 0)
    .option('--colored-output', 'Show output with colored labels');
}

function addVolumeFlags(cmd: Command): Command {
  return addRangeFlags(cmd.argument('<query>', `eg '{foo="bar",baz=~".*blip"}'`), 'logs')
    .option('--limit <n>', 'Limit on number of series to return volumes for.', parseIntFlag, 30)
    .option('--targetLabels <name>', 'List of labels to aggregate results into.', collect, [])
    .option('--aggregateByLabels', 'Whether to aggregate results by label name only.')
    .addOption(new Option('--aggregate-by <mode>', 'Aggregate by series (default) or labels (same as --aggregateByLabels).').choices(['series', 'labels']));
}

/** Runs logcli with the arguments after the program name; resolves to the exit status. */
export async function runLogcli(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const stdout = new StdoutBuffer(io);
  const log = new GoLogger(io);
  const colors = new Colors(io);
  const write = (s: string): void => stdout.write(s);

  const program = new Command('logcli')
    .description('A command-line for loki.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.writeStdout(s), writeErr: (s) => io.writeStderr(s), outputError: (s, w) => w(kingpinError(s)) })
    .version(`logcli, version ${LOGCLI_VERSION}`, '--version', 'Show application version.')
    .option('-q, --quiet', 'Suppress query metadata')
    .option('--stats', 'Show query statistics')
    .addOption(new Option('-o, --output <mode>', 'Specify output mode [default, raw, jsonl]. raw suppresses log labels and timestamp.').choices(OUTPUT_MODES).default('default'))
    .addOption(new Option('-z, --timezone <zone>', 'Specify the timezone to use when formatting output timestamps [Local, UTC]').choices(['Local', 'UTC']).default('Local'))
    .option('--addr <url>', 'Server address. Can also be set using LOKI_ADDR env var. (default "http://localhost:3100")')
    .option('--username <name>', 'Username for HTTP basic auth. Can also be set using LOKI_USERNAME env var.')
    .option('--password <password>', 'Password for HTTP basic auth. Can also be set using LOKI_PASSWORD env var.')
    .option('--tls-skip-verify', 'Server certificate TLS skip verify. Can also be set using LOKI_TLS_SKIP_VERIFY env var.')
    .option('--org-id <id>', 'adds X-Scope-OrgID to API requests for representing tenant ID. Can also be set using LOKI_ORG_ID env var.')
    .option('--query-tags <tags>', 'adds X-Query-Tags http header to API requests. Can also be set using LOKI_QUERY_TAGS env var.')
    .option('--nocache', 'adds Cache-Control: no-cache http header to API requests. Can also be set using LOKI_NO_CACHE env var.')
    .option('--bearer-token <token>', 'adds the Authorization header to API requests for authentication purposes. Can also be set using LOKI_BEARER_TOKEN env var.')
    .option('--bearer-token-file <path>', 'adds the Authorization header to API requests for authentication purposes. Can also be set using LOKI_BEARER_TOKEN_FILE env var.')
    .option('--retries <n>', 'How many times to retry each query when getting an error response from Loki. Can also be set using LOKI_CLIENT_RETRIES env var.', parseIntFlag)
    .option('--min-backoff <seconds>', 'Minimum backoff time between retries. Can also be set using LOKI_CLIENT_MIN_BACKOFF env var.', parseIntFlag)
    .option('--max-backoff <seconds>', 'Maximum backoff time between retries. Can also be set using LOKI_CLIENT_MAX_BACKOFF env var.', parseIntFlag)
    .option('--auth-header <name>', 'The authorization header used. Can also be set using LOKI_AUTH_HEADER env var. (default "Authorization")')
    .option('--query-timeout <duration>', 'Abort each HTTP request after this long (0 waits forever).', parseDurationFlag)
    .option('--header <header>', 'Extra HTTP header "Name: value" for every request (repeatable).', parseHeaderFlag, []);

  const setup = (cmd: Command) => {
    const g = cmd.optsWithGlobals() as GlobalFlags;
    const opts = clientOptions(g, io.env);
    if (opts.tlsSkipVerify) io.allowInsecureTLS();
    return { g, client: new LokiClient(opts, log) };
  };
  const printerFor = (g: GlobalFlags, outputFlags: OutputFlags | undefined) => {
    const out = createLogOutput(
      g.output,
      { timezone: g.timezone, noLabels: outputFlags ? !outputFlags.labels : false, coloredOutput: outputFlags?.coloredOutput === true },
      write,
      colors,
    );
    const printer = new ResultPrinter(
      {
        showLabelsKey: outputFlags?.includeLabel ?? [],
        ignoreLabelsKey: outputFlags?.excludeLabel ?? [],
        quiet: g.quiet === true,
        fixedLabelsLen: outputFlags?.labelsLength ?? 0,
        forward: outputFlags?.forward === true,
      },
      { out, stdout: write, stderr: (s) => io.writeStderr(s), log, colors },
    );
    return { out, printer };
  };

  addOutputFlags(
    addRangeFlags(
      program
        .command('query')
        .description('Run a LogQL query.')
        .argument('<query>', `eg '{foo="bar",baz=~".*blip"} |~ ".*error.*"'`)
        .option('--limit <n>', 'Limit on number of entries to print. Setting it to 0 will fetch all entries.', parseIntFlag, 30),
      'logs',
    )
      .addOption(durationOption('--step <duration>', 'Query resolution step width, for metric queries. Evaluate the query at the specified step over the time range.', 0n, '0s'))
      .addOption(durationOption('--interval <duration>', 'Query interval, for log queries. Return entries at the specified interval, ignoring those between.', 0n, '0s'))
      .option('--batch <n>', "Query batch size to use until 'limit' is reached", parseIntFlag, 1000),
  )
    .option('-t, --tail', 'Tail the logs')
    .option('-f, --follow', 'Alias for --tail')
    .option('--delay-for <seconds>', 'Delay in tailing by number of seconds to accumulate logs for re-ordering', parseIntFlag, 0)
    .action(async (query: string, f: RangeFlags & OutputFlags & { limit: number; step: bigint; interval: bigint; batch: number; tail?: boolean; follow?: boolean; delayFor: number }, cmd: Command) => {
      const { g, client } = setup(cmd);
      const { start, end } = timeRange(f);
      const { out, printer } = printerFor(g, f);
      if (f.tail || f.follow) {
        const stop = new AbortController();
        const unsubscribe = io.onInterrupt(() => stop.abort());
        try {
          await runTail(
            { query, start, limit: f.limit, delayForSeconds: f.delayFor, quiet: g.quiet === true, noLabels: !f.labels, showLabelsKey: f.includeLabel, ignoreLabelsKey: f.excludeLabel },
            client,
            { out, log, colors, timezone: g.timezone, flush: () => stdout.flush() },
            stop.signal,
          );
        } finally {
          unsubscribe();
        }
        return;
      }
      await runQuery(
        { query, start, end, limit: f.limit, batchSize: f.batch, forward: f.forward === true, step: f.step, interval: f.interval, quiet: g.quiet === true },
        client,
        { printer, showStats: g.stats === true, afterBatch: () => stdout.flush() },
      );
    });

  addOutputFlags(
    program
      .command('instant-query')
      .description('Run an instant LogQL query.')
      .argument('<query>', `eg 'rate({foo="bar"} |~ ".*error.*" [5m])'`)
      .option('--limit <n>', 'Limit on number of entries to print. Setting it to 0 will fetch all entries.', parseIntFlag, 30)
      .option('--now <time>', 'Time at which to execute the instant query.'),
  ).action(async (query: string, f: OutputFlags & { limit: number; now?: string }, cmd: Command) => {
    const { g, client } = setup(cmd);
    const time = flagTime(f.now, nowNanos());
    const { printer } = printerFor(g, f);
    await runQuery(
      { query, start: time, end: time, limit: f.limit, batchSize: 0, forward: f.forward === true, step: 0n, interval: 0n, quiet: g.quiet === true },
      client,
      { printer, showStats: g.stats === true, afterBatch: () => stdout.flush() },
    );
  });

  addRangeFlags(program.command('labels').description('Find values for a given label.').argument('[label]', 'The name of the label.', ''), 'labels').action(
    async (label: string, f: RangeFlags, cmd: Command) => {
      const { g, client } = setup(cmd);
      await runLabels({ name: label, ...timeRange(f), quiet: g.quiet === true }, client, write);
    },
  );

  addRangeFlags(program.command('series').description('Run series query.').argument('<matcher>', `eg '{foo="bar",baz=~".*blip"}'`), 'logs')
    .option('--analyze-labels', 'Printout a summary of labels including count of label value combinations, useful for debugging high cardinality series')
    .action(async (matcher: string, f: RangeFlags & { analyzeLabels?: boolean }, cmd: Command) => {
      const { g, client } = setup(cmd);
      await runSeries({ matcher, ...timeRange(f), quiet: g.quiet === true, analyzeLabels: f.analyzeLabels === true }, client, write);
    });

  addRangeFlags(program.command('stats').description('Run a stats query.').argument('<query>', `eg '{foo="bar",baz=~".*blip"} |~ ".*error.*"'`), 'logs').action(
    async (query: string, f: RangeFlags, cmd: Command) => {
      const { g, client } = setup(cmd);
      await runStats({ query, ...timeRange(f), quiet: g.quiet === true }, client, write, colors);
    },
  );

  type VolumeFlags = RangeFlags & { limit: number; targetLabels: string[]; aggregateByLabels?: boolean; aggregateBy?: string; step?: bigint };
  const volumeAction = (range: boolean) => async (query: string, f: VolumeFlags, cmd: Command) => {
    const { g, client } = setup(cmd);
    const { printer } = printerFor(g, undefined);
    const request = {
      query,
      ...timeRange(f),
      limit: f.limit,
      step: range ? (f.step ?? HOUR) : 0n,
      targetLabels: f.targetLabels,
      aggregateByLabels: f.aggregateByLabels === true || f.aggregateBy === 'labels',
      quiet: g.quiet === true,
    };
    await runVolume(request, range, client, printer, g.stats === true);
  };
  addVolumeFlags(program.command('volume').description('Run a volume query.')).action(volumeAction(false));
  addVolumeFlags(program.command('volume_range').description('Run a volume query and return timeseries data.'))
    .addOption(durationOption('--step <duration>', 'Query resolution step width, roll up volumes into buckets cover step time each.', HOUR, '1h'))
    .action(volumeAction(true));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 1;
    if (e instanceof FatalError) {
      stdout.flush();
      log.print(e.message);
      return 1;
    }
    throw e;
  } finally {
    stdout.flush();
  }
}
