// Goal: describeConfig documents every key with flag, env name, accepted values, default
// and description. Method: render a small schema and compare with the expected text.
import { z } from 'zod';
import { describeConfig } from './describe-config';
import { wantsHelp } from './argv';
import { envName, flagName } from './names';

describe('describeConfig', () => {
  it('renders every key', () => {
    const schema = z.object({
      grpcPort: z.number().int().min(0).max(65535).default(7000).describe('gRPC port'),
      logLevel: z.enum(['info', 'debug']).default('info'),
      verbose: z.boolean().default(false).describe('Chatty output'),
      stateDir: z.string().optional(),
      joinAddr: z.string().describe('Manager to join'),
      peers: z.array(z.string()).default([]),
    });
    expect(describeConfig(schema, { title: 'shoal-manager', envPrefix: 'M_' })).toBe(
      [
        'shoal-manager',
        '',
        'Options (flags win over environment variables, which win over defaults):',
        '',
        '  --grpc-port <int>  (env M_GRPC_PORT)',
        '      gRPC port',
        '      accepts an integer from 0 to 65535; default 7000',
        '  --log-level <info|debug>  (env M_LOG_LEVEL)',
        '      accepts one of info, debug; default "info"',
        '  --verbose  (env M_VERBOSE)',
        '      Chatty output',
        '      accepts true or false; default false',
        '  --state-dir <value>  (env M_STATE_DIR)',
        '      accepts a string; default (unset)',
        '  --join-addr <value>  (env M_JOIN_ADDR)',
        '      Manager to join',
        '      accepts a string; default (required)',
        '  --peers <a,b,…>  (env M_PEERS)',
        '      accepts a comma-separated list of values; default (none)',
        '',
      ].join('\n'),
    );
  });
});

describe('names', () => {
  it.each([
    ['grpcPort', 'grpc-port', 'SHOAL_GRPC_PORT'],
    ['host', 'host', 'SHOAL_HOST'],
    ['raftTickMs', 'raft-tick-ms', 'SHOAL_RAFT_TICK_MS'],
    ['http2Port', 'http2-port', 'SHOAL_HTTP2_PORT'],
  ])('%s → %s / %s', (key, flag, env) => {
    expect(flagName(key)).toBe(flag);
    expect(envName(key)).toBe(env);
  });

  it('wantsHelp spots --help and -h', () => {
    expect(wantsHelp(['--x', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--helpful'])).toBe(false);
  });
});
