// The raft-store's configuration keys (merged into the shared base config) and their parsing.
import { ConfigError } from '@shoal/config';
import { z } from 'zod';
import { RAFT_STORE_LIMITS } from '@shoal/limits';
import { tlsConfig, type TlsConfig } from '@shoal/tls';

/** TEST_IDENTITY_ENV_VALUE: `--allow-test-identity` needs SHOAL_ALLOW_TEST_IDENTITY=1 too. */
export const ALLOW_TEST_IDENTITY_ENV = 'SHOAL_ALLOW_TEST_IDENTITY';

/** raftStoreConfig is the app's own config shape (flags `--node-id`, env `SHOAL_NODE_ID`…). */
export const raftStoreConfig = {
  ...tlsConfig,
  nodeId: z.number().int().positive().default(1)
    .describe('This member\'s raft id (positive, never reused after a removal)'),
  members: z.array(z.string()).default([])
    .describe('Raft members as id=host:port (the Store API and raft port), e.g. 1=127.0.0.1:4240'),
  join: z.boolean().default(false)
    .describe('Join an existing cluster (added with Members.AddMember) instead of bootstrapping'),
  forceNewCluster: z.boolean().default(false)
    .describe('Recover a single survivor: commit the removal of every other member, then lead'),
  allowTestIdentity: z.boolean().default(false)
    .describe('TESTS ONLY: trust x-shoal-test-identity (also needs SHOAL_ALLOW_TEST_IDENTITY=1)'),
  snapshotInterval: z.number().int().min(RAFT_STORE_LIMITS.snapshotIntervalMin).optional()
    .describe('Applied entries between raft snapshots (default 10000)'),
};

/** RaftStoreConfig is the parsed app config beside the base keys the app reads. */
export interface RaftStoreConfig extends TlsConfig {
  readonly host: string;
  readonly grpcPort: number;
  readonly stateDir?: string | undefined;
  readonly nodeId: number;
  readonly members: readonly string[];
  readonly join: boolean;
  readonly forceNewCluster: boolean;
  readonly allowTestIdentity: boolean;
  readonly snapshotInterval?: number | undefined;
}

/**
 * parseMembers reads `id=host:port` items into a map by raft id. Throws ConfigError naming
 * every bad item.
 */
export function parseMembers(items: readonly string[]): Map<number, string> {
  const members = new Map<number, string>();
  const problems: string[] = [];
  for (const item of items) {
    const match = /^(\d+)=([^\s=]+:\d+)$/.exec(item.trim());
    const id = match === null ? NaN : Number(match[1]);
    if (match === null || !Number.isSafeInteger(id) || id <= 0) {
      problems.push(`members: ${JSON.stringify(item)} is not id=host:port with a positive id`);
    } else if (members.has(id)) {
      problems.push(`members: raft id ${id} is given twice`);
    } else {
      members.set(id, match[2] as string);
    }
  }
  if (members.size > RAFT_STORE_LIMITS.membersMax) {
    problems.push(`members: at most ${RAFT_STORE_LIMITS.membersMax} members`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return members;
}

/**
 * checkConfig validates what zod cannot: the member list contains this member (unless it
 * joins), a state directory exists, and the test identity has its environment permission.
 */
export function checkConfig(config: RaftStoreConfig, env: NodeJS.ProcessEnv): Map<number, string> {
  const members = parseMembers(config.members);
  const problems: string[] = [];
  if (config.stateDir === undefined) problems.push('state-dir: required (WAL and snapshots)');
  if (!config.join && members.size > 0 && !members.has(config.nodeId)) {
    problems.push(`members: this member (node-id ${config.nodeId}) is not listed`);
  }
  if (config.join && config.forceNewCluster) {
    problems.push('force-new-cluster: a joining member has no data to recover');
  }
  if (config.allowTestIdentity && env[ALLOW_TEST_IDENTITY_ENV] !== '1') {
    problems.push(`allow-test-identity: refused unless ${ALLOW_TEST_IDENTITY_ENV}=1 (tests only)`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return members;
}

/** selfAddress is this member's advertised address: its `--members` entry, else host:port. */
export function selfAddress(config: RaftStoreConfig, members: ReadonlyMap<number, string>): string {
  return members.get(config.nodeId) ?? `${config.host}:${config.grpcPort}`;
}
