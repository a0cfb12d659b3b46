// The flags of the `shoal` commands that talk to a running cluster, as zod schemas.
import { z } from 'zod';
import { parseDurationText } from './duration-text';

/** DEFAULT_GATEWAY is the api-gateway's gRPC address in the local topology (base port + 1). */
export const DEFAULT_GATEWAY = '127.0.0.1:4241';
/** DEFAULT_STORE_ENDPOINTS are the raft-store members of the local topology (base + 0, 8, 9). */
export const DEFAULT_STORE_ENDPOINTS = ['127.0.0.1:4240', '127.0.0.1:4248', '127.0.0.1:4249'];
/** DEFAULT_CA_ENDPOINTS / DEFAULT_DISPATCHER_ENDPOINTS: the local topology's ca and dispatcher. */
export const DEFAULT_CA_ENDPOINTS = ['127.0.0.1:4246'];
/** See {@link DEFAULT_CA_ENDPOINTS}. */
export const DEFAULT_DISPATCHER_ENDPOINTS = ['127.0.0.1:4245'];

const duration = (what: string): z.ZodString => z.string().refine((t) => parseDurationText(t) !== null,
  `expected a duration such as 10s, 5m, 90d (${what})`);

/** linkOptions say where the cluster is and which certificates to use. */
export const linkOptions = z.object({
  stateDir: z.string().min(1).default('.shoal')
    .describe('Directory `shoal init` wrote (admin/ and gateway/ certificate bundles)'),
  gateway: z.string().min(1).default(DEFAULT_GATEWAY).describe('api-gateway gRPC address (host:port)'),
  storeEndpoints: z.array(z.string().min(1)).default(DEFAULT_STORE_ENDPOINTS)
    .describe('raft-store member addresses (host:port, comma-separated)'),
  timeout: duration('per call').default('10s').describe('Deadline of each call to the cluster'),
});

/** LinkOptions is the parsed type of {@link linkOptions}. */
export type LinkOptions = z.infer<typeof linkOptions>;

/** joinTokenOptions are the flags of `shoal join-token worker|manager`. */
export const joinTokenOptions = linkOptions.extend({
  rotate: z.boolean().default(false).describe('Replace the token first (the old one stops working)'),
  quiet: z.boolean().default(false).describe('Print the token only'),
  caEndpoints: z.array(z.string()).default(DEFAULT_CA_ENDPOINTS).describe('ca addresses to print in the command'),
  dispatcherEndpoints: z.array(z.string()).default(DEFAULT_DISPATCHER_ENDPOINTS)
    .describe('dispatcher addresses to print in the command'),
});

/** JoinTokenOptions is the parsed type of {@link joinTokenOptions}. */
export type JoinTokenOptions = z.infer<typeof joinTokenOptions>;

/** nodeJoinOptions are the flags of `shoal node join`. */
export const nodeJoinOptions = z.object({
  joinToken: z.string().min(1).describe('Join token (`shoal join-token worker`); env SHOAL_JOIN_TOKEN'),
  stateDir: z.string().min(1).describe("The new node's state directory (key, certificate, tasks)"),
  caEndpoints: z.array(z.string()).default(DEFAULT_CA_ENDPOINTS).describe('ca addresses'),
  dispatcherEndpoints: z.array(z.string()).default(DEFAULT_DISPATCHER_ENDPOINTS).describe('dispatcher addresses'),
  hostname: z.string().optional().describe('Hostname the node reports (default: the machine\'s)'),
  executor: z.enum(['docker', 'process', 'sim']).optional()
    .describe('docker, process or sim (default: docker when the engine answers)'),
  agent: z.string().default('dist/apps/node-agent/main.js').describe('Path of the built node-agent'),
  run: z.boolean().default(false).describe('Start the node-agent now (foreground) instead of printing how'),
});

/** NodeJoinOptions is the parsed type of {@link nodeJoinOptions}. */
export type NodeJoinOptions = z.infer<typeof nodeJoinOptions>;

/** clusterUpdateOptions are the flags of `shoal cluster update`. */
export const clusterUpdateOptions = linkOptions.extend({
  heartbeatPeriod: duration('heartbeat').optional().describe('Agent heartbeat period (e.g. 5s)'),
  taskHistoryLimit: z.number().int().optional().describe('Old tasks kept per slot (negative: keep all)'),
  certExpiry: duration('certificates').optional().describe('Node certificate validity (at least 1h, e.g. 90d)'),
  snapshotInterval: z.number().int().min(1).optional().describe('raft entries between snapshots'),
  autolock: z.boolean().optional().describe('Require the unlock key to start managers'),
});

/** ClusterUpdateOptions is the parsed type of {@link clusterUpdateOptions}. */
export type ClusterUpdateOptions = z.infer<typeof clusterUpdateOptions>;

/** memberAddOptions are the flags of `shoal store members add`. */
export const memberAddOptions = linkOptions.extend({
  nodeId: z.string().min(1).describe('ID of the new member (its certificate CN, e.g. store-4)'),
  addr: z.string().min(1).describe('Its raft/store address (host:port)'),
  learner: z.boolean().default(false).describe('Join as a non-voting learner first'),
});

/** MemberAddOptions is the parsed type of {@link memberAddOptions}. */
export type MemberAddOptions = z.infer<typeof memberAddOptions>;

/** memberRemoveOptions are the flags of `shoal store members remove`. */
export const memberRemoveOptions = linkOptions.extend({
  raftId: z.number().int().min(1).describe('Raft ID of the member to remove (`shoal store members list`)'),
});

/** MemberRemoveOptions is the parsed type of {@link memberRemoveOptions}. */
export type MemberRemoveOptions = z.infer<typeof memberRemoveOptions>;
