// The `shoal` command: argument dispatch, help and error reporting. Subcommands:
//   shoal init --state-dir DIR [--cluster-id ID] [--store-members 3] [--cert-validity 90d] [--force]
//   shoal cert admin --state-dir DIR --out DIR2 [--name NAME] [--cert-validity 90d] [--force]
import type { z } from 'zod';
import { ConfigError, describeConfig, loadConfig, wantsHelp } from '@shoal/config';
import { runCertAdmin } from './cert-admin';
import { CliError, EXIT_USAGE } from './cli-error';
import { runInit, type CliDeps } from './init';
import { certAdminOptions, initOptions } from './options';

/** CliIo is where the command writes: progress on `out`, errors on `err`. */
export interface CliIo extends CliDeps {
  readonly err: (line: string) => void;
  /** Environment for `SHOAL_*` defaults of flags; tests pass {}. */
  readonly env: NodeJS.ProcessEnv;
}

const USAGE = [
  'usage: shoal <command> [flags]',
  '',
  'commands:',
  '  init         create a cluster identity: root CA, component and admin certificates,',
  '               join tokens',
  '  cert admin   issue another admin client bundle (ca.pem, cert.pem, key.pem)',
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
];

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
    await command.run(options as never, io);
    return 0;
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
