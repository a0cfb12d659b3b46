// `shoal node join`: how to start a node-agent that joins with a token, or (--run) start it.
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { isShoalError } from '@shoal/errors';
import { parseJoinToken } from '@shoal/pki';
import { CliError, EXIT_REFUSED, EXIT_USAGE } from './cli-error';
import type { NodeJoinOptions } from './link-options';

/** JoinIo is the part of the CLI's io `node join` needs. */
export interface JoinIo {
  readonly print: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/** agentArgs are the node-agent flags for a join (the token travels in SHOAL_JOIN_TOKEN). */
export function agentArgs(options: NodeJoinOptions): string[] {
  const args = [`--state-dir=${options.stateDir}`, `--ca-endpoints=${options.caEndpoints.join(',')}`,
    `--dispatcher-endpoints=${options.dispatcherEndpoints.join(',')}`];
  if (options.executor !== undefined) args.push(`--executor=${options.executor}`);
  if (options.hostname !== undefined) args.push(`--hostname=${options.hostname}`);
  return args;
}

/**
 * runNodeJoin checks the token's format, then prints the node-agent command, or with `--run`
 * starts the node-agent in the foreground and resolves its exit code.
 */
export async function runNodeJoin(options: NodeJoinOptions, io: JoinIo): Promise<number> {
  try {
    parseJoinToken(options.joinToken);
  } catch (err) {
    if (isShoalError(err)) throw new CliError(err.message, EXIT_USAGE);
    throw err;
  }
  const args = agentArgs(options);
  if (!options.run) {
    io.print('Start the node-agent with the token in its environment:\n');
    io.print(`    SHOAL_JOIN_TOKEN=${options.joinToken} node ${options.agent} ${args.join(' ')}\n`);
    io.print('On its first start it joins (key, certificate and node ID go to --state-dir); later ' +
      'starts reuse that directory and need no token.');
    return 0;
  }
  try {
    await access(options.agent);
  } catch {
    throw new CliError(`no node-agent at ${options.agent}: build it (npx nx build node-agent) or pass --agent`,
      EXIT_REFUSED);
  }
  io.print(`shoal node join: starting ${options.agent} (joining via ${options.caEndpoints.join(',')})`);
  const child = spawn(process.execPath, [options.agent, ...args],
    { stdio: 'inherit', env: { ...io.env, SHOAL_JOIN_TOKEN: options.joinToken } });
  return new Promise((resolve, reject) => {
    child.on('error', (err) => reject(new CliError(`cannot start the node-agent: ${err.message}`, EXIT_REFUSED)));
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 0 : 128)));
  });
}
