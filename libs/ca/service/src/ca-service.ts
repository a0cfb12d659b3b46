// The CA's RPC logic behind ports: root certificate, issuance with a join token or over mTLS
// (renewal), issuance status with a bounded wait, and the unlock key. Transport-free: the
// gRPC adapter (ca-grpc-handlers.ts) passes the caller's identity in.
import { assert } from '@shoal/assert';
import type { Clock, Timers } from '@shoal/clock';
import { isShoalError, ShoalError } from '@shoal/errors';
import { newId } from '@shoal/ids';
import type { Logger } from '@shoal/logging';
import { signCsr, type Identity } from '@shoal/pki';
import {
  Certificate,
  GetRootCACertificateResponse,
  GetUnlockKeyResponse,
  IssuanceStatus_State,
  IssueNodeCertificateResponse,
  Node,
  NodeCertificateStatusResponse,
  NodeRole,
  NodeSpec_Membership,
  type IssueNodeCertificateRequest,
  type NodeCertificateStatusRequest,
} from '@shoal/proto';
import type { Random } from '@shoal/random';
import {
  clusterAuthority,
  matchJoinToken,
  type ClusterAuthority,
  type NodeJoinRole,
} from './cluster-authority';
import {
  NODE_CERTIFICATE_STATUS_POLL_MS,
  NODE_CERTIFICATE_STATUS_WAIT_MS,
  NODE_ID_ATTEMPTS,
} from '@shoal/limits';
import { COMPONENT_ROLES, ComponentCertificates } from './component-certificates';
import type { ClusterPort, NodesPort } from './ports';

/** CaServiceDeps are the CA service's ports and tunables. */
export interface CaServiceDeps {
  readonly nodes: NodesPort;
  readonly cluster: ClusterPort;
  /** Wall clock for certificate dates and status waits. */
  readonly clock: Clock;
  readonly timers: Timers;
  /** Source of node IDs; a CSPRNG in production. */
  readonly random: Random;
  readonly logger?: Logger;
  /** How long NodeCertificateStatus waits for a change; default 5 s (SwarmKit). */
  readonly statusWaitMs?: number;
  /** Overrides the cluster's node certificate validity (tests issue short certificates). */
  readonly certValidityMs?: number;
}

const PENDING_STATES: ReadonlySet<IssuanceStatus_State> = new Set([
  IssuanceStatus_State.PENDING,
  IssuanceStatus_State.RENEW,
]);

/**
 * CaService is the cluster CA's request logic, SwarmKit's `ca.Server`: a node with a join token
 * (or a node renewing over mTLS) gets a Node object with a PENDING certificate, the CSR is
 * signed in the background by this replica, and the node polls NodeCertificateStatus until it
 * is ISSUED or FAILED.
 *
 * Contract: every method reads the Cluster afresh, so rotating a join token or blacklisting a
 * node takes effect for the next request. Expected refusals are ShoalErrors (INVALID_ARGUMENT,
 * PERMISSION_DENIED, NOT_FOUND, FAILED_PRECONDITION); a failed signature is recorded as the
 * certificate's FAILED state with its reason, not thrown. `signPending(id)` is also the entry
 * point for a loop that signs certificates left PENDING (e.g. after a restart).
 */
export class CaService {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly statusWaitMs: number;
  private readonly components = new ComponentCertificates();

  /** Creates the service over its ports. */
  constructor(private readonly deps: CaServiceDeps) {
    this.statusWaitMs = deps.statusWaitMs ?? NODE_CERTIFICATE_STATUS_WAIT_MS;
    assert(this.statusWaitMs >= 0, 'status wait is not negative');
  }

  /** getRootCaCertificate returns the cluster's root certificate (PEM); callable by anyone. */
  async getRootCaCertificate(): Promise<GetRootCACertificateResponse> {
    const authority = clusterAuthority(await this.deps.cluster.getCluster());
    return GetRootCACertificateResponse.fromPartial({
      certificate: Buffer.from(authority.root.certPem),
    });
  }

  /**
   * issueNodeCertificate accepts a CSR. `caller` is the verified identity of the TLS peer, or
   * null. A node (worker or manager) certificate means renewal: the node keeps its ID and
   * role, and is refused PERMISSION_DENIED if removed or blacklisted. Without a certificate
   * the join token decides: compared in constant time against the current worker and manager
   * tokens; missing → INVALID_ARGUMENT, no match → PERMISSION_DENIED; a match creates the Node
   * (membership ACCEPTED, desired role and role from the token, certificate PENDING).
   * A component certificate (store … gateway) renews at once with the same ID, role and SANs
   * (no Node object; the answer waits in this replica for the status poll). Admin
   * certificates are refused: `shoal cert admin` issues them.
   */
  async issueNodeCertificate(
    request: IssueNodeCertificateRequest,
    caller: Identity | null,
  ): Promise<IssueNodeCertificateResponse> {
    if (request.csr.length === 0) throw ShoalError.invalidArgument('the request has no CSR');
    const authority = clusterAuthority(await this.deps.cluster.getCluster());
    if (caller !== null) return this.renew(request, caller, authority);
    if (request.token === '') {
      throw ShoalError.invalidArgument('a valid join token is necessary to join this cluster');
    }
    const role = matchJoinToken(authority, request.token);
    if (role === null) throw ShoalError.permissionDenied('the join token is not valid');
    const nodeId = await this.createNode(request, role);
    this.deps.logger?.info({ nodeId, role }, 'node joined; certificate pending');
    this.scheduleSigning(nodeId);
    return IssueNodeCertificateResponse.fromPartial({
      nodeId,
      nodeMembership: NodeSpec_Membership.ACCEPTED,
    });
  }

  /**
   * nodeCertificateStatus returns the node's certificate state. While it is PENDING or RENEW it
   * waits up to the status wait for a change, then answers with whatever state it has.
   * Unknown node → NOT_FOUND. Anyone may ask: certificates are public.
   */
  async nodeCertificateStatus(
    request: NodeCertificateStatusRequest,
  ): Promise<NodeCertificateStatusResponse> {
    const component = this.components.take(request.nodeId);
    if (component !== undefined) {
      return NodeCertificateStatusResponse.fromPartial({ status: component.status, certificate: component });
    }
    const deadline = this.deps.clock.now() + this.statusWaitMs;
    for (;;) {
      const node = await this.deps.nodes.getNode(request.nodeId);
      if (node === null) throw ShoalError.notFound('node', request.nodeId);
      const certificate = node.certificate ?? Certificate.fromPartial({});
      const state = certificate.status?.state ?? IssuanceStatus_State.UNKNOWN;
      const remainingMs = deadline - this.deps.clock.now();
      if (!PENDING_STATES.has(state) || remainingMs <= 0) {
        return NodeCertificateStatusResponse.fromPartial({
          status: certificate.status,
          certificate,
        });
      }
      await this.changed(request.nodeId, Math.min(NODE_CERTIFICATE_STATUS_POLL_MS, remainingMs));
    }
  }

  /** getUnlockKey returns the first unlock key (empty when autolock is off). */
  async getUnlockKey(): Promise<GetUnlockKeyResponse> {
    const cluster = await this.deps.cluster.getCluster();
    return GetUnlockKeyResponse.fromPartial({
      unlockKey: cluster.unlockKeys[0]?.key ?? Buffer.alloc(0),
      version: cluster.meta?.version,
    });
  }

  /**
   * signPending signs node `id`'s certificate if it is PENDING or RENEW: ISSUED with the
   * certificate, or FAILED with the reason (bad CSR, root not valid). A node removed meanwhile
   * is skipped. Never rejects for those outcomes; store failures reject.
   */
  async signPending(id: string): Promise<void> {
    const node = await this.deps.nodes.getNode(id);
    const certificate = node?.certificate;
    if (node === null || certificate === undefined) return;
    if (!PENDING_STATES.has(certificate.status?.state ?? IssuanceStatus_State.UNKNOWN)) return;
    const authority = clusterAuthority(await this.deps.cluster.getCluster());
    const updated = this.sign(id, certificate, authority);
    try {
      await this.deps.nodes.updateCertificate(id, updated);
    } catch (err) {
      if (isShoalError(err) && err.code === 'NOT_FOUND') return;
      throw err;
    } finally {
      this.notify(id);
    }
  }

  private sign(id: string, certificate: Certificate, authority: ClusterAuthority): Certificate {
    const role = certificate.role === NodeRole.MANAGER ? 'manager' : 'worker';
    try {
      const signed = signCsr({
        ca: authority.root,
        csrPem: certificate.csr.toString('utf8'),
        id,
        role,
        clusterId: authority.clusterId,
        now: this.deps.clock.now(),
        validityMs: this.deps.certValidityMs ?? authority.certValidityMs,
      });
      this.deps.logger?.info({ nodeId: id, role, serial: signed.identity.serial }, 'signed');
      return Certificate.fromPartial({
        ...certificate,
        status: { state: IssuanceStatus_State.ISSUED, err: '' },
        certificate: Buffer.from(signed.certPem),
      });
    } catch (err) {
      if (!isShoalError(err)) throw err;
      this.deps.logger?.warn({ nodeId: id, err: err.message }, 'certificate signing failed');
      return Certificate.fromPartial({
        ...certificate,
        status: { state: IssuanceStatus_State.FAILED, err: err.message },
      });
    }
  }

  private async renew(
    request: IssueNodeCertificateRequest,
    caller: Identity,
    authority: ClusterAuthority,
  ): Promise<IssueNodeCertificateResponse> {
    if (COMPONENT_ROLES.has(caller.role)) {
      this.components.renew(caller, request.csr, authority, this.deps.clock.now(),
        this.deps.certValidityMs ?? authority.certValidityMs);
      this.deps.logger?.info({ id: caller.id, role: caller.role }, 'component certificate renewed');
      return IssueNodeCertificateResponse.fromPartial({ nodeId: caller.id,
        nodeMembership: NodeSpec_Membership.ACCEPTED });
    }
    if (caller.role !== 'worker' && caller.role !== 'manager') {
      throw ShoalError.permissionDenied(
        `role ${JSON.stringify(caller.role)} cannot renew through the CA service`,
      );
    }
    const node = await this.deps.nodes.getNode(caller.id);
    if (node === null || authority.blacklisted.has(caller.id)) {
      throw ShoalError.permissionDenied(`node ${caller.id} has been removed from the cluster`);
    }
    if (caller.clusterId !== authority.clusterId) {
      throw ShoalError.permissionDenied(`node ${caller.id} belongs to another cluster`);
    }
    const certificate = Certificate.fromPartial({
      role: node.role,
      csr: request.csr,
      status: { state: IssuanceStatus_State.RENEW, err: '' },
      cn: caller.id,
    });
    await this.deps.nodes.updateCertificate(caller.id, certificate);
    this.scheduleSigning(caller.id);
    return IssueNodeCertificateResponse.fromPartial({
      nodeId: caller.id,
      nodeMembership: node.spec?.membership ?? NodeSpec_Membership.ACCEPTED,
    });
  }

  private async createNode(
    request: IssueNodeCertificateRequest,
    role: NodeJoinRole,
  ): Promise<string> {
    const nodeRole = role === 'manager' ? NodeRole.MANAGER : NodeRole.WORKER;
    for (let attempt = 1; ; attempt++) {
      const id = newId(this.deps.random);
      const node = Node.fromPartial({
        id,
        spec: {
          desiredRole: nodeRole,
          membership: NodeSpec_Membership.ACCEPTED,
          availability: request.availability,
        },
        certificate: {
          role: nodeRole,
          csr: request.csr,
          status: { state: IssuanceStatus_State.PENDING, err: '' },
          cn: id,
        },
        role: nodeRole,
      });
      try {
        await this.deps.nodes.createNode(node);
        return id;
      } catch (err) {
        const taken = isShoalError(err) && err.code === 'ALREADY_EXISTS';
        if (!taken || attempt >= NODE_ID_ATTEMPTS) throw err;
      }
    }
  }

  /** scheduleSigning signs `id` in the background; failures are logged, never thrown. */
  private scheduleSigning(id: string): void {
    this.deps.timers.setTimeout(() => {
      this.signPending(id).catch((err: unknown) => {
        this.deps.logger?.error({ err, nodeId: id }, 'signing a pending certificate failed');
      });
    }, 0);
  }

  /** changed resolves when `id`'s certificate changes here, or after `ms`. */
  private changed(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set<() => void>();
      this.waiters.set(id, set);
      const wake = (): void => {
        this.deps.timers.clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id);
        resolve();
      };
      const timer = this.deps.timers.setTimeout(wake, ms);
      set.add(wake);
    });
  }

  private notify(id: string): void {
    for (const wake of [...(this.waiters.get(id) ?? [])]) wake();
  }
}
