// Goal: CaService's request logic without gRPC: token checks (missing, malformed-looking,
// wrong, rotated), the Node object it creates, issuance status with its bounded wait, FAILED on a
// bad CSR, signing of certificates left PENDING, node ID collisions, renewal rules (node roles
// only, removed or blacklisted nodes refused) and the unlock key. Method: a MemoryCaStore as
// both ports, a real root and real CSRs, a ManualClock as the service's timers so that
// background signing runs only when a test lets it (runNext) or calls signPending itself.
import { X509Certificate } from 'node:crypto';
import { ManualClock } from '@shoal/clock';
import { isShoalError, type ShoalError } from '@shoal/errors';
import { newId } from '@shoal/ids';
import {
  createKeyAndCsr,
  createRootCa,
  generateJoinToken,
  issueCertificate,
  parseIdentity,
  verifyChain,
  type Identity,
  type RootCa,
} from '@shoal/pki';
import {
  IssuanceStatus_State,
  Node,
  NodeRole,
  NodeSpec_Availability,
  NodeSpec_Membership,
} from '@shoal/proto';
import { SeededRandom, Uint32Random, type Random } from '@shoal/random';
import { CaService } from './ca-service';
import { matchJoinToken, clusterAuthority } from './cluster-authority';
import { newClusterObject, rotateJoinToken } from './cluster-object';
import { MemoryCaStore } from './memory-ca-store';

// RSA key generation is slow and variable (0.2-2 s per key, more on a loaded CI machine).
jest.setTimeout(60_000);

const CLUSTER = 'testcluster';
let root: RootCa;
let csr: Buffer;
let tokens: { worker: string; manager: string };
let store: MemoryCaStore;
let clock: ManualClock;
let service: CaService;

/** A Random that always draws the same value: every node ID it makes collides. */
class ConstantRandom extends Uint32Random {
  nextUint32(): number {
    return 42;
  }
  fork(): Random {
    return this;
  }
}

async function failure(promise: Promise<unknown>): Promise<ShoalError> {
  try {
    await promise;
  } catch (err) {
    if (isShoalError(err)) return err;
    throw err;
  }
  throw new Error('expected a ShoalError');
}

function makeService(random: Random = new SeededRandom(11), statusWaitMs = 5_000): CaService {
  return new CaService({ nodes: store, cluster: store, clock, timers: clock, random,
    statusWaitMs });
}

beforeAll(async () => {
  root = await createRootCa({ clusterId: CLUSTER, now: Date.now() });
  const made = await createKeyAndCsr({ id: 'whoever', role: 'admin', clusterId: 'elsewhere' });
  csr = Buffer.from(made.csrPem);
});

beforeEach(() => {
  const fresh = newClusterObject({ clusterId: CLUSTER, root, random: new SeededRandom(3) });
  tokens = { ...fresh.tokens };
  store = new MemoryCaStore(fresh.cluster);
  clock = new ManualClock(Date.now());
  service = makeService();
});

describe('IssueNodeCertificate with a join token', () => {
  it('creates an ACCEPTED node with a PENDING certificate and the token role', async () => {
    const res = await service.issueNodeCertificate(
      { csr, token: tokens.manager, availability: NodeSpec_Availability.DRAIN }, null);
    expect(res.nodeMembership).toBe(NodeSpec_Membership.ACCEPTED);
    const node = await store.getNode(res.nodeId);
    expect(node?.spec).toMatchObject({ desiredRole: NodeRole.MANAGER,
      membership: NodeSpec_Membership.ACCEPTED, availability: NodeSpec_Availability.DRAIN });
    expect(node?.role).toBe(NodeRole.MANAGER);
    expect(node?.certificate?.status?.state).toBe(IssuanceStatus_State.PENDING);
    expect(node?.certificate?.cn).toBe(res.nodeId);
  });

  it('signs in the background: ISSUED with CN = node ID, OU = role, O = cluster', async () => {
    const { nodeId } = await service.issueNodeCertificate(
      { csr, token: tokens.worker, availability: 0 }, null);
    const pending = makeService(new SeededRandom(1), 0);
    const before = await pending.nodeCertificateStatus({ nodeId });
    expect(before.status?.state).toBe(IssuanceStatus_State.PENDING);
    clock.runNext();
    await new Promise((r) => setTimeout(r, 200));
    const after = await service.nodeCertificateStatus({ nodeId });
    expect(after.status?.state).toBe(IssuanceStatus_State.ISSUED);
    const pem = after.certificate?.certificate.toString('utf8') ?? '';
    const verdict = verifyChain(pem, root.certPem, Date.now());
    expect(verdict.ok && verdict.identity).toMatchObject({ id: nodeId, role: 'worker',
      clusterId: CLUSTER });
  });

  it('wakes a waiting status call as soon as the certificate is signed', async () => {
    const { nodeId } = await service.issueNodeCertificate(
      { csr, token: tokens.worker, availability: 0 }, null);
    const waiting = service.nodeCertificateStatus({ nodeId });
    await service.signPending(nodeId);
    expect((await waiting).status?.state).toBe(IssuanceStatus_State.ISSUED);
  });

  it('answers PENDING once the status wait is over if nobody signed', async () => {
    // A node left PENDING (no signing scheduled: e.g. written before a CA restart).
    await store.createNode(Node.fromPartial({ id: 'leftpending',
      certificate: { csr, status: { state: IssuanceStatus_State.PENDING, err: '' } } }));
    const waiting = makeService(new SeededRandom(1), 1_000).nodeCertificateStatus(
      { nodeId: 'leftpending' });
    let answered = false;
    void waiting.then(() => (answered = true));
    for (let elapsedMs = 0; elapsedMs < 1_000; elapsedMs += 250) {
      await new Promise((r) => setImmediate(r));
      expect(answered).toBe(false);
      clock.advance(250);
    }
    expect((await waiting).status?.state).toBe(IssuanceStatus_State.PENDING);
  });

  it('records FAILED with the reason when the CSR is not valid', async () => {
    const { nodeId } = await service.issueNodeCertificate(
      { csr: Buffer.from('not a csr'), token: tokens.worker, availability: 0 }, null);
    await service.signPending(nodeId);
    const status = await service.nodeCertificateStatus({ nodeId });
    expect(status.status?.state).toBe(IssuanceStatus_State.FAILED);
    expect(status.status?.err).toMatch(/CSR cannot be parsed/);
  });

  it('refuses a missing token (INVALID_ARGUMENT) and a wrong one (PERMISSION_DENIED)', async () => {
    const missing = await failure(service.issueNodeCertificate(
      { csr, token: '', availability: 0 }, null));
    expect(missing.code).toBe('INVALID_ARGUMENT');
    const wrong = generateJoinToken(root.digest, new SeededRandom(99));
    const denied = await failure(service.issueNodeCertificate(
      { csr, token: wrong, availability: 0 }, null));
    expect(denied.code).toBe('PERMISSION_DENIED');
    expect(denied.message).not.toContain(wrong);
    expect(store.nodeIds()).toEqual([]);
  });

  it('refuses a token for another root even with the right secret', async () => {
    const other = await createRootCa({ clusterId: CLUSTER, now: Date.now() });
    const secret = tokens.worker.split('-')[3] as string;
    const forged = `SHLTKN-1-${other.digest.base36}-${secret}`;
    const denied = await failure(service.issueNodeCertificate(
      { csr, token: forged, availability: 0 }, null));
    expect(denied.code).toBe('PERMISSION_DENIED');
  });

  it('stops accepting a rotated token at once and accepts the new one', async () => {
    const cluster = await store.getCluster();
    const rotated = rotateJoinToken(cluster, 'worker', root, new SeededRandom(5));
    store.setCluster(rotated.cluster);
    const old = await failure(service.issueNodeCertificate(
      { csr, token: tokens.worker, availability: 0 }, null));
    expect(old.code).toBe('PERMISSION_DENIED');
    const ok = await service.issueNodeCertificate(
      { csr, token: rotated.token, availability: 0 }, null);
    expect(ok.nodeId).toHaveLength(25);
    const manager = await service.issueNodeCertificate(
      { csr, token: tokens.manager, availability: 0 }, null);
    expect(manager.nodeId).toHaveLength(25);
  });

  it('refuses a request without a CSR', async () => {
    const err = await failure(service.issueNodeCertificate(
      { csr: Buffer.alloc(0), token: tokens.worker, availability: 0 }, null));
    expect(err.code).toBe('INVALID_ARGUMENT');
  });
});

describe('node IDs', () => {
  it('draws another ID when one is taken', async () => {
    const taken = newId(new SeededRandom(7));
    await store.createNode({ id: taken } as never);
    const res = await makeService(new SeededRandom(7)).issueNodeCertificate(
      { csr, token: tokens.worker, availability: 0 }, null);
    expect(res.nodeId).not.toBe(taken);
  });

  it('gives up with ALREADY_EXISTS after three taken IDs', async () => {
    await store.createNode({ id: newId(new ConstantRandom()) } as never);
    const err = await failure(makeService(new ConstantRandom()).issueNodeCertificate(
      { csr, token: tokens.worker, availability: 0 }, null));
    expect(err.code).toBe('ALREADY_EXISTS');
  });
});

describe('renewal over mTLS', () => {
  async function joined(): Promise<Identity> {
    const { nodeId } = await service.issueNodeCertificate(
      { csr, token: tokens.worker, availability: 0 }, null);
    await service.signPending(nodeId);
    const status = await service.nodeCertificateStatus({ nodeId });
    return parseIdentity(status.certificate?.certificate.toString('utf8') ?? '');
  }

  it('keeps the node ID and role, ignoring any token', async () => {
    const identity = await joined();
    const res = await service.issueNodeCertificate(
      { csr, token: tokens.manager, availability: 0 }, identity);
    expect(res.nodeId).toBe(identity.id);
    expect((await store.getNode(identity.id))?.certificate?.status?.state)
      .toBe(IssuanceStatus_State.RENEW);
    await service.signPending(identity.id);
    const renewed = await service.nodeCertificateStatus({ nodeId: identity.id });
    const next = parseIdentity(renewed.certificate?.certificate.toString('utf8') ?? '');
    expect(next).toMatchObject({ id: identity.id, role: 'worker' });
    expect(next.serial).not.toBe(identity.serial);
  });

  it('refuses a removed node and a blacklisted one', async () => {
    const removed = await joined();
    store.removeNode(removed.id);
    const err = await failure(service.issueNodeCertificate(
      { csr, token: '', availability: 0 }, removed));
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(err.message).toBe(`node ${removed.id} has been removed from the cluster`);

    const blacklisted = await joined();
    const cluster = await store.getCluster();
    store.setCluster({ ...cluster,
      blacklistedCertificates: { ...cluster.blacklistedCertificates, [blacklisted.id]: {} } });
    const err2 = await failure(service.issueNodeCertificate(
      { csr, token: '', availability: 0 }, blacklisted));
    expect(err2.code).toBe('PERMISSION_DENIED');
  });

  it('refuses admin certificates', async () => {
    const admin = await issueCertificate({ ca: root, id: 'admin-1', role: 'admin',
      clusterId: CLUSTER, now: Date.now() });
    const err = await failure(service.issueNodeCertificate(
      { csr, token: tokens.worker, availability: 0 }, admin.identity));
    expect(err.code).toBe('PERMISSION_DENIED');
  });

  it('renews a component at once with its ID, role and loopback SANs, unless blacklisted', async () => {
    const scheduler = await issueCertificate({ ca: root, id: 'scheduler', role: 'scheduler',
      clusterId: CLUSTER, now: Date.now(), loopback: true });
    const res = await service.issueNodeCertificate({ csr, token: '', availability: 0 },
      scheduler.identity);
    expect(res.nodeId).toBe('scheduler');
    const status = await service.nodeCertificateStatus({ nodeId: 'scheduler' });
    expect(status.status?.state).toBe(IssuanceStatus_State.ISSUED);
    const pem = status.certificate?.certificate.toString('utf8') ?? '';
    const verdict = verifyChain(pem, root.certPem, Date.now());
    expect(verdict.ok && verdict.identity).toMatchObject({ id: 'scheduler', role: 'scheduler' });
    expect(new X509Certificate(pem).subjectAltName).toContain('IP Address:127.0.0.1');
    expect(store.nodeIds()).toEqual([]);
    const cluster = await store.getCluster();
    store.setCluster({ ...cluster, blacklistedCertificates: { scheduler: {} } });
    const err = await failure(service.issueNodeCertificate({ csr, token: '', availability: 0 },
      scheduler.identity));
    expect(err.code).toBe('PERMISSION_DENIED');
  });
});

describe('other requests', () => {
  it('returns the root certificate and the unlock key', async () => {
    const res = await service.getRootCaCertificate();
    expect(res.certificate.toString('utf8')).toBe(root.certPem);
    const unlock = await service.getUnlockKey();
    expect(unlock.unlockKey.length).toBe(0);
  });

  it('answers NOT_FOUND for the status of an unknown node', async () => {
    const err = await failure(service.nodeCertificateStatus({ nodeId: 'nosuchnode' }));
    expect(err.code).toBe('NOT_FOUND');
  });

  it('refuses everything with FAILED_PRECONDITION before bootstrap', async () => {
    store = new MemoryCaStore(null);
    const err = await failure(makeService().getRootCaCertificate());
    expect(err.code).toBe('FAILED_PRECONDITION');
  });

  it('matches tokens to roles, and nothing else', () => {
    const authority = clusterAuthority(newClusterObject({ clusterId: CLUSTER, root,
      random: new SeededRandom(8) }).cluster);
    expect(matchJoinToken(authority, authority.tokens.worker)).toBe('worker');
    expect(matchJoinToken(authority, authority.tokens.manager)).toBe('manager');
    expect(matchJoinToken(authority, `${authority.tokens.worker}x`)).toBeNull();
    expect(matchJoinToken(authority, '')).toBeNull();
  });
});
