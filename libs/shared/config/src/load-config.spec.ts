// Goal: loadConfig layers flags over env over defaults, coerces text to the schema's types,
// and reports every problem in one readable ConfigError. Method: table-driven cases over a
// small schema, with env and argv always passed explicitly (no process state).
import { z } from 'zod';
import { appBaseConfig, portSchema } from './base-config';
import { ConfigError, loadConfig } from './load-config';

const schema = appBaseConfig.extend({
  grpcPort: portSchema.default(7000).describe('gRPC port'),
  verbose: z.boolean().default(false),
  peers: z.array(z.string()).default([]),
  ratio: z.number().gt(0).lte(1).default(0.5),
  name: z.string().min(2).optional(),
});

const PORT_PROBLEM = '--grpc-port / SHOAL_GRPC_PORT: expected an integer from 0 to 65535';

function load(argv: string[], env: Record<string, string> = {}) {
  return loadConfig(schema, { argv, env });
}

function problemsOf(argv: string[], env: Record<string, string> = {}): readonly string[] {
  try {
    load(argv, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig sources and precedence', () => {
  it('uses schema defaults when nothing is given', () => {
    expect(load([])).toEqual({
      host: '127.0.0.1',
      grpcPort: 7000,
      httpPort: 0,
      logLevel: 'info',
      shutdownGraceMs: 10_000,
      verbose: false,
      peers: [],
      ratio: 0.5,
    });
  });

  it.each([
    ['--grpc-port=7100', [], 7100],
    ['--grpc-port 7100', [], 7100],
    ['', ['SHOAL_GRPC_PORT', '7200'], 7200],
    ['--grpc-port=7100', ['SHOAL_GRPC_PORT', '7200'], 7100],
  ])('flags %j with env %j give grpcPort %d', (flags, env, expected) => {
    const argv = flags === '' ? [] : flags.split(' ');
    const envObj = env.length === 2 ? { [env[0] as string]: env[1] as string } : {};
    expect(load(argv, envObj).grpcPort).toBe(expected);
  });

  it('honours a custom env prefix and ignores empty env values', () => {
    const cfg = loadConfig(schema, {
      argv: [],
      env: { ORCH_LOG_LEVEL: 'debug', SHOAL_LOG_LEVEL: 'warn', ORCH_STATE_DIR: '' },
      envPrefix: 'ORCH_',
    });
    expect(cfg.logLevel).toBe('debug');
    expect(cfg.stateDir).toBeUndefined();
  });

  it.each([
    [['--verbose'], true],
    [['--verbose', 'false'], false],
    [['--verbose=yes'], true],
    [['--no-verbose'], false],
    [['--verbose', '--grpc-port', '1'], true],
  ])('boolean flags %j → %s', (argv, expected) => {
    expect(load(argv).verbose).toBe(expected);
  });

  it('coerces boolean env words', () => {
    expect(load([], { SHOAL_VERBOSE: 'on' }).verbose).toBe(true);
    expect(load([], { SHOAL_VERBOSE: '0' }).verbose).toBe(false);
  });

  it('accumulates list flags and splits comma lists', () => {
    expect(load(['--peers', 'a:1,b:2', '--peers=c:3']).peers).toEqual(['a:1', 'b:2', 'c:3']);
    expect(load([], { SHOAL_PEERS: 'x, y' }).peers).toEqual(['x', 'y']);
  });

  it('ignores --help and -h (the caller handles them)', () => {
    expect(load(['--help', '-h']).grpcPort).toBe(7000);
  });
});

describe('loadConfig errors', () => {
  it.each([
    [
      ['--grpc-port=abc'],
      '--grpc-port / SHOAL_GRPC_PORT: expected an integer from 0 to 65535, got "abc"',
    ],
    [['--grpc-port=70000'], `${PORT_PROBLEM}, got "70000"`],
    [['--grpc-port=1.5'], `${PORT_PROBLEM}, got "1.5"`],
    [
      ['--log-level=loud'],
      '--log-level / SHOAL_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, ' +
        'silent, got "loud"',
    ],
    [['--verbose=maybe'], '--verbose / SHOAL_VERBOSE: expected true or false, got "maybe"'],
    [['--ratio=0'], '--ratio / SHOAL_RATIO: expected a number > 0 and ≤ 1, got "0"'],
    [['--bogus'], 'unknown flag --bogus'],
    [['stray'], 'unexpected argument "stray"'],
    [['--grpc-port'], '--grpc-port: missing value'],
    [['--no-verbose=1'], '--no-verbose takes no value'],
  ])('%j → %s', (argv, problem) => {
    expect(problemsOf(argv)).toEqual([problem]);
  });

  it('reports string constraint failures with zod text', () => {
    const [line] = problemsOf(['--name=x']);
    expect(line).toMatch(/^--name \/ SHOAL_NAME: .*>=2 characters, got "x"$/);
  });

  it('lists every problem at once, from flags and env', () => {
    const problems = problemsOf(['--bogus', '1', '--http-port=-1'], { SHOAL_GRPC_PORT: 'abc' });
    expect(problems).toEqual([
      'unknown flag --bogus',
      '--grpc-port / SHOAL_GRPC_PORT: expected an integer from 0 to 65535, got "abc"',
      '--http-port / SHOAL_HTTP_PORT: expected an integer from 0 to 65535, got "-1"',
    ]);
  });

  it('says when a required key is missing', () => {
    const required = z.object({ clusterId: z.string() });
    expect(() => loadConfig(required, { argv: [], env: {} })).toThrow(
      '--cluster-id / SHOAL_CLUSTER_ID: required (expected a string), not set',
    );
  });

  it('puts all problems in the message', () => {
    expect(() => load(['--a', '--b'])).toThrow(
      'invalid configuration:\n  unknown flag --a\n  unknown flag --b',
    );
  });
});
