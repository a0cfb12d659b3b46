// The `shoal` command: argument dispatch, help and error reporting. Subcommands:
//   shoal init --state-dir DIR [--cluster-id ID] [--store-members 3] [--cert-validity 90d] [--force]
//   shoal cert admin --state-dir DIR --out DIR2 [--name NAME] [--cert-validity 90d] [--force]
//   shoal join-token worker|manager [--rotate] [--quiet]
//   shoal node join --join-token T --state-dir DIR [--run]
//   shoal cluster inspect | cluster update [--heartbeat-period 5s] [--task-history-limit N] ...
//   shoal store members list | add --node-id ID --addr H:P | remove --raft-id N
//   shoal status
// Cluster commands take --state-dir (certificates), --gateway, --store-endpoints, --timeout.
import type { z } from 'zod';
import { ConfigError, describeConfig, loadConfig, wantsHelp } from '@shoal/config';
import { runCertAdmin } from './cert-admin';
import { CliError, EXIT_USAGE } from './cli-error';
import { runClusterInspect, runClusterUpdate } from './cluster-update';
import { runInit, type CliDeps } from './init';
import { runJoinToken } from './join-token';
import type { LinkFactory } from './link';
import {
  clusterUpdateOptions,
  joinTokenOptions,
  linkOptions,
  memberAddOptions,
  memberRemoveOptions,
  nodeJoinOptions,
} from './link-options';
import { runNodeJoin } from './node-join';
import { certAdminOptions, initOptions } from './options';
import { runStatus } from './status';
import { runMembersAdd, runMembersList, runMembersRemove } from './store-members';

/** CliIo is where the command writes: progress on `out`, errors on `err`. */
export interface CliIo extends CliDeps {
  readonly err: (line: string) => void;
  /** Environment for `SHOAL_*` defaults of flags; tests pass {}. */
  readonly env: NodeJS.ProcessEnv;
  /** Opens connections to a running cluster; default: TLS with the state directory's bundles. */
  readonly link?: LinkFactory;
}

const USAGE = [
  'usage: shoal <command> [flags]',
  '',
  'commands:',
  '  init         create a cluster identity: root CA, component and admin certificates,',
  '               join tokens',
  '  cert admin   issue another admin client bundle (ca.pem, cert.pem, key.pem)',
  '  join-token   worker|manager: show (--rotate: replace) a join token',
  '  node join    start (--run) or print how to start a node-agent that joins with a token',
  '  cluster      inspect | update: cluster settings (heartbeat, task history, cert expiry, ...)',
  '  store members  list | add | remove: the raft-store group (uses the gateway bundle)',
  '  status       store members and leader, nodes, services',
  '',
  'Run `shoal <command> --help` for its flags.',
].join('\n');

interface Command {
  readonly words: readonly string[];
  readonly schema: z.ZodObject;
  readonly run: (options: never, io: CliIo) => Promise<unknown>;
}

const COMMANDS: readonly Command[] = [
  { words: ['init'], schema: initOptions, run: runInit },
  { words: ['cert', 'admin'], schema: certAdminOptions, run: runCertAdmin },
  { words: ['join-token', 'worker'], schema: joinTokenOptions, run: (o, io) => runJoinToken('worker', o, io) },
  { words: ['join-token', 'manager'], schema: joinTokenOptions, run: (o, io) => runJoinToken('manager', o, io) },
  { words: ['node', 'join'], schema: nodeJoinOptions,
    run: async (o, io) => ({ exitCode: await runNodeJoin(o, io) }) },
  { words: ['cluster', 'inspect'], schema: linkOptions, run: runClusterInspect },
  { words: ['cluster', 'update'], schema: clusterUpdateOptions, run: runClusterUpdate },
  { words: ['store', 'members', 'list'], schema: linkOptions, run: runMembersList },
  { words: ['store', 'members', 'add'], schema: memberAddOptions, run: runMembersAdd },
  { words: ['store', 'members', 'remove'], schema: memberRemoveOptions, run: runMembersRemove },
  { words: ['status'], schema: linkOptions, run: runStatus },
];

function exitCodeOf(result: unknown): number {
  if (typeof result !== 'object' || result === null || !('exitCode' in result)) return 0;
  const code = (result as { exitCode: unknown }).exitCode;
  return typeof code === 'number' ? code : 0;
}

/**
 * runCli runs one `shoal` command line (`argv` without the node and script paths) and
 * resolves its exit code: 0 on success, 64 on a usage error, the CliError's code on a
 * refusal. It writes the reason to `io.err`; unexpected errors propagate.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const command = COMMANDS.find((c) => c.words.every((w, i) => argv[i] === w));
  if (command === undefined) {
    const helpOnly = argv.length === 0 || wantsHelp(argv.slice(0, 1));
    (helpOnly ? io.print : io.err)(helpOnly ? USAGE : `shoal: unknown command\n${USAGE}`);
    return helpOnly ? 0 : EXIT_USAGE;
  }
  const rest = argv.slice(command.words.length);
  if (wantsHelp(rest)) {
    io.print(describeConfig(command.schema, { title: `shoal ${command.words.join(' ')}` }));
    return 0;
  }
  try {
    const options = loadConfig(command.schema, { argv: rest, env: io.env });
    return exitCodeOf(await command.run(options as never, io));
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`shoal ${command.words.join(' ')}: ${err.message}`);
      return EXIT_USAGE;
    }
    if (err instanceof CliError) {
      io.err(`shoal ${command.words.join(' ')}: ${err.message}`);
      return err.exitCode;
    }
    throw err;
  }
}
