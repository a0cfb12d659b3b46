// The node-agent's configuration keys (flags `--kebab-case`, env `SHOAL_SNAKE_CASE`) and the
// checks zod cannot express.
import { ConfigError } from '@shoal/config';
import { z } from 'zod';

/** ALLOW_TEST_IDENTITY_ENV: `--allow-test-identity` also needs SHOAL_ALLOW_TEST_IDENTITY=1. */
export const ALLOW_TEST_IDENTITY_ENV = 'SHOAL_ALLOW_TEST_IDENTITY';

/** DEFAULT_STATE_DIR is where the agent keeps its identity and tasks unless --state-dir says otherwise. */
export const DEFAULT_STATE_DIR = '/var/lib/shoal/node-agent';

/** agentConfig are the node-agent's own config keys. */
export const agentConfig = {
  executor: z.enum(['docker', 'process', 'sim']).optional()
    .describe('How tasks run: docker (containers), process (UNISOLATED child processes), sim (no work); '
      + 'default docker when the engine answers, else process'),
  joinToken: z.string().optional().describe('Join token (SHLTKN-1-…) used on the first start, when --state-dir has no certificate'),
  caEndpoints: z.array(z.string()).default([]).describe('ca replicas (host:port, comma-separated): join and certificate renewal'),
  dispatcherEndpoints: z.array(z.string()).default([])
    .describe('Dispatcher replicas (host:port, comma-separated); the session fails over among them'),
  hostname: z.string().optional().describe('Hostname reported in the node description (default the machine\'s)'),
  tlsCaFile: z.string().optional().describe('PEM root CA (with --tls-cert-file and --tls-key-file: use these instead of <state-dir>/certificates)'),
  tlsCertFile: z.string().optional().describe('PEM node certificate'),
  tlsKeyFile: z.string().optional().describe('PEM node private key'),
  allowTestIdentity: z.boolean().default(false)
    .describe('TESTS ONLY: no TLS; name the node with x-shoal-test-node = --test-node-id (needs SHOAL_ALLOW_TEST_IDENTITY=1)'),
  testNodeId: z.string().optional().describe('TESTS ONLY: the node ID sent with --allow-test-identity'),
  dockerSocket: z.string().default('/var/run/docker.sock').describe('Docker Engine socket (docker executor)'),
  simLatencyMs: z.number().int().min(0).default(100).describe('Ms each prepare and start takes (sim executor)'),
  simFailureRate: z.number().min(0).max(1).default(0).describe('Probability that prepare or start fails (sim executor)'),
  simRunMs: z.number().int().min(0).optional().describe('Ms a simulated task runs before exiting 0 (default: until stopped)'),
  assignmentsFile: z.string().optional()
    .describe('DEVELOPMENT ONLY: a JSON array of tasks (proto JSON) to run as this node\'s assignment set'),
};

/** AgentConfig is the parsed form of {@link agentConfig} plus the base state directory. */
export interface AgentConfig {
  readonly executor?: 'docker' | 'process' | 'sim' | undefined;
  readonly stateDir?: string | undefined;
  readonly joinToken?: string | undefined;
  readonly caEndpoints?: readonly string[] | undefined;
  readonly dispatcherEndpoints?: readonly string[] | undefined;
  readonly hostname?: string | undefined;
  readonly tlsCaFile?: string | undefined;
  readonly tlsCertFile?: string | undefined;
  readonly tlsKeyFile?: string | undefined;
  readonly allowTestIdentity?: boolean | undefined;
  readonly testNodeId?: string | undefined;
  readonly dockerSocket: string;
  readonly simLatencyMs: number;
  readonly simFailureRate: number;
  readonly simRunMs?: number | undefined;
  readonly assignmentsFile?: string | undefined;
}

/**
 * checkAgentConfig validates what zod cannot. Contract: the test identity needs
 * SHOAL_ALLOW_TEST_IDENTITY=1 and a --test-node-id and excludes TLS files and a join token;
 * the TLS files come all or none. Throws ConfigError naming every problem.
 */
export function checkAgentConfig(config: AgentConfig, env: NodeJS.ProcessEnv): void {
  const problems: string[] = [];
  const tls = [config.tlsCaFile, config.tlsCertFile, config.tlsKeyFile].filter((f) => f !== undefined).length;
  if (tls > 0 && tls < 3) problems.push('set all of --tls-ca-file, --tls-cert-file and --tls-key-file, or none');
  if (config.allowTestIdentity === true) {
    if (env[ALLOW_TEST_IDENTITY_ENV] !== '1') problems.push(`allow-test-identity: refused unless ${ALLOW_TEST_IDENTITY_ENV}=1 (tests only)`);
    if (config.testNodeId === undefined || config.testNodeId === '') problems.push('allow-test-identity: needs --test-node-id');
    if (tls > 0 || config.joinToken !== undefined) problems.push('allow-test-identity: excludes TLS files and --join-token');
  } else if (config.testNodeId !== undefined) {
    problems.push('test-node-id: only with --allow-test-identity');
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
