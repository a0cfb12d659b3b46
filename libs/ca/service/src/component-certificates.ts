// Renewal of component certificates (store, orchestrator, …, gateway): they have no Node
// object, so the CA signs at once and keeps the answer in memory for the status poll.
import { isShoalError, ShoalError } from '@shoal/errors';
import { signCsr, type Identity, type Role } from '@shoal/pki';
import { Certificate, IssuanceStatus_State } from '@shoal/proto';
import type { ClusterAuthority } from './cluster-authority';

/** COMPONENT_ROLES are the manager-side processes, whose certificates `shoal init` first issued. */
export const COMPONENT_ROLES: ReadonlySet<Role> = new Set<Role>([
  'store', 'orchestrator', 'scheduler', 'allocator', 'dispatcher', 'ca', 'gateway',
]);

/** At most this many answers are kept; the oldest goes first. */
const KEPT_ANSWERS_MAX = 1_024;

/**
 * ComponentCertificates signs a component's renewal CSR at once, keeping the component's ID and
 * role and its loopback SANs, and remembers the answer until the component's status poll reads
 * it. The answer lives in this replica only: the renewer polls the replica it asked.
 */
export class ComponentCertificates {
  private readonly answers = new Map<string, Certificate>();

  /**
   * renew signs `csr` for `caller` with `authority`'s root. Refuses PERMISSION_DENIED when the
   * caller belongs to another cluster or its ID is blacklisted; a bad CSR is recorded FAILED.
   */
  renew(caller: Identity, csr: Buffer, authority: ClusterAuthority, now: number, validityMs: number):
    void {
    if (caller.clusterId !== authority.clusterId) {
      throw ShoalError.permissionDenied(`${caller.role} ${caller.id} belongs to another cluster`);
    }
    if (authority.blacklisted.has(caller.id)) {
      throw ShoalError.permissionDenied(`${caller.role} ${caller.id} has been removed from the cluster`);
    }
    let answer: Certificate;
    try {
      const signed = signCsr({ ca: authority.root, csrPem: csr.toString('utf8'), id: caller.id,
        role: caller.role, clusterId: authority.clusterId, now, validityMs, loopback: true });
      answer = Certificate.fromPartial({ csr, cn: caller.id, certificate: Buffer.from(signed.certPem),
        status: { state: IssuanceStatus_State.ISSUED, err: '' } });
    } catch (err) {
      if (!isShoalError(err)) throw err;
      answer = Certificate.fromPartial({ csr, cn: caller.id,
        status: { state: IssuanceStatus_State.FAILED, err: err.message } });
    }
    this.answers.delete(caller.id);
    this.answers.set(caller.id, answer);
    if (this.answers.size > KEPT_ANSWERS_MAX) {
      const oldest = this.answers.keys().next().value as string;
      this.answers.delete(oldest);
    }
  }

  /** take returns (and forgets) the answer for component `id`, or undefined. */
  take(id: string): Certificate | undefined {
    const answer = this.answers.get(id);
    this.answers.delete(id);
    return answer;
  }
}
