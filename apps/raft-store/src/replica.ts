// One raft-store member: the store, its state machine, the raft node (WAL under the state
// dir, gRPC transport) and the ports the store's gRPC services run on.
import path from 'node:path';
import type { Clock, Timers } from '@shoal/clock';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import { RaftNode, GrpcTransport, WalPersistence } from '@shoal/raft-node';
import type { Random } from '@shoal/random';
import { MemoryStore } from '@shoal/store';
import {
  createLeaderForwarder,
  StoreStateMachine,
  type EntryResult,
  type LeaderForwarder,
  type StoreServerPorts,
} from '@shoal/store-server';
import type { StoreChannelSecurity } from '@shoal/store-client';
import { StoreApplier } from './applier';
import type { RaftStoreConfig } from './config';
import { forceNewCluster } from './force-new-cluster';
import { RaftMembersPort } from './members-port';
import { Membership, type MembershipChange } from './membership';
import { RaftPorts } from './raft-ports';

/** ReplicaOptions are what a member is built from. */
export interface ReplicaOptions {
  readonly config: RaftStoreConfig & { readonly stateDir: string };
  /** The configured members (raft id → address), this one included unless it joins. */
  readonly members: ReadonlyMap<number, string>;
  /** This member's Store API (and raft) address. */
  readonly address: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly random: Random;
  /**
   * mTLS for raft peer streams and writes forwarded to the leader: this member's `store`
   * certificate, servers verified as `store` (@shoal/tls channelCredentials). Unset: insecure
   * (tests on loopback).
   */
  readonly peerSecurity?: StoreChannelSecurity;
}

/** The directory of the raft WAL and snapshot files under `--state-dir`. */
const RAFT_DIR = 'raft';

/**
 * Replica is one member of the raft-store. Build it before the gRPC server starts (its
 * `transport.service()` and `ports` are served), `start` it once the server listens, `stop`
 * it on shutdown (after the store services closed their streams).
 */
export class Replica {
  readonly store = new MemoryStore();
  readonly machine = new StoreStateMachine(this.store);
  readonly membership: Membership;
  readonly transport: GrpcTransport;
  readonly raft: RaftNode<EntryResult>;
  readonly raftPorts: RaftPorts;
  readonly forwarder: LeaderForwarder;
  private readonly persistence: WalPersistence;

  /** The constructor wires everything; nothing runs until {@link start}. */
  constructor(private readonly o: ReplicaOptions) {
    const { config, logger } = o;
    this.membership = new Membership(o.members);
    this.transport = new GrpcTransport({
      id: config.nodeId, peers: this.peerAddresses(), timers: o.timers, random: o.random,
      channelCredentials: o.peerSecurity?.credentials,
      logger: logger.child({ component: 'raft-transport' }),
    });
    this.persistence = this.walPersistence();
    const applier = new StoreApplier(this.machine, this.membership, {
      onMembershipChange: (change) => this.onMembershipChange(change),
      onRestored: () => this.syncPeers(),
    }, logger);
    const founders = config.join ? [] : o.members.size === 0 ? [config.nodeId] : [...o.members.keys()];
    this.raft = new RaftNode<EntryResult>({
      id: config.nodeId, peers: founders, persistence: this.persistence, transport: this.transport,
      applier, timers: o.timers, random: o.random, metrics: o.metrics,
      logger: logger.child({ component: 'raft' }),
      ...snapshotOptions(config.snapshotInterval),
    });
    this.raftPorts = new RaftPorts(this.raft, this.membership, o.clock,
      { id: config.nodeId, address: o.address });
    this.forwarder = createLeaderForwarder({ testIdentity: config.allowTestIdentity,
      credentials: o.peerSecurity });
    this.raft.onLeaderChange((c) => logger.info(c, 'raft leadership'));
    this.raft.onFatal((err) => logger.error({ err }, 'raft node failed'));
  }

  /** ports are what the store's gRPC services run on. */
  ports(): StoreServerPorts {
    const p = this.raftPorts;
    return {
      store: this.store,
      proposer: p,
      leaseProposer: p,
      leases: this.machine.leases,
      readBarrier: () => p.readBarrier(),
      leader: () => p.leader(),
      forwarder: this.forwarder,
      members: new RaftMembersPort(this.raft, this.membership, p),
    };
  }

  /** start recovers a lone survivor if asked, then loads the WAL and runs raft. */
  async start(): Promise<void> {
    const { config, logger } = this.o;
    if (config.forceNewCluster) {
      const removed = await forceNewCluster(this.walPersistence(), config.nodeId);
      logger.warn({ removed }, 'force-new-cluster: this member now forms a cluster alone');
    }
    await this.raft.start();
    this.syncPeers();
    const s = this.raft.status();
    logger.info({ raftId: s.id, term: s.term, applied: s.applied, voters: s.confState.voters },
      'raft member started');
  }

  /** stop closes the forwarder's connections and stops raft (WAL synced and closed). */
  async stop(): Promise<void> {
    this.forwarder.close();
    await this.raft.stop();
  }

  private walPersistence(): WalPersistence {
    const dir = path.join(this.o.config.stateDir, RAFT_DIR);
    return new WalPersistence({
      dir, nodeId: this.o.config.nodeId,
      onSlowSync: (event) => this.o.logger.warn({ event }, 'slow WAL fsync'),
      onBrokenSnapshot: (event) => this.o.logger.error(event, 'broken snapshot file set aside'),
    });
  }

  private peerAddresses(): Map<number, string> {
    const peers = new Map(this.o.members);
    peers.delete(this.o.config.nodeId);
    return peers;
  }

  private onMembershipChange(change: MembershipChange): void {
    if (change.type === 'upsert' && change.member.raftId !== this.o.config.nodeId) {
      this.transport.addPeer(change.member.raftId, change.member.addr);
    } else if (change.type === 'remove') {
      this.transport.removePeer(change.raftId);
    }
    if (change.type !== 'none') this.o.logger.info({ change }, 'raft membership changed');
  }

  /** syncPeers gives the transport every known member's address (after a restore). */
  private syncPeers(): void {
    for (const member of this.membership.list()) {
      if (member.raftId !== this.o.config.nodeId) {
        this.transport.addPeer(member.raftId, member.addr);
      }
    }
    for (const id of this.membership.removedIds()) this.transport.removePeer(id);
  }
}

/** snapshotOptions turns `--snapshot-interval` into the node's cadence and kept log tail. */
function snapshotOptions(interval: number | undefined):
  { snapshotIntervalEntries?: number; logEntriesForSlowFollowers?: number } {
  if (interval === undefined) return {};
  return { snapshotIntervalEntries: interval, logEntriesForSlowFollowers: Math.floor(interval / 2) };
}
