// Goal: with our static credentials, a real grpc-js server and client on 127.0.0.1 talk mutual
// TLS; the server reads the client's CN/OU/O through getAuthContext; clients without a
// certificate, with one from another root, with an expired one, or dialling the wrong server
// name are refused. Method: real roots and certificates valid at the real clock (TLS checks
// dates against it), an inline JSON service, one call per case with a short deadline.
import * as grpc from '@grpc/grpc-js';
import { isShoalError } from '@shoal/errors';
import type { CertBundle } from './cert-bundle';
import { channelCredentials, peerIdentity, serverCredentials } from './grpc-credentials';
import { createRootCa, type RootCa } from './root-ca';
import { issueCertificate, type CertificateDecision } from './sign';
import {
  EchoClient,
  startEchoServer,
  stopServer,
  whoAmI,
  type RunningServer,
} from './testdata/echo-service';

// RSA key generation is slow and variable (0.2-2 s per key, more on a loaded CI machine).
jest.setTimeout(60_000);

const CLUSTER = 'testcluster';
const LOCAL_POOL = { 'grpc.use_local_subchannel_pool': 1 };
let root: RootCa;
let otherRoot: RootCa;
let serverBundle: CertBundle;
let clientBundle: CertBundle;
let foreignClient: CertBundle;
let expiredClient: CertBundle;
let running: RunningServer;
const clients: grpc.Client[] = [];

type Decision = Omit<CertificateDecision, 'ca' | 'clusterId'>;

async function bundle(ca: RootCa, d: Decision): Promise<CertBundle> {
  const issued = await issueCertificate({ ca, clusterId: CLUSTER, ...d });
  return { caPem: ca.certPem, certPem: issued.certPem, keyPem: issued.keyPem };
}

function client(b: CertBundle, serverName = 'store'): grpc.Client {
  const { credentials, options } = channelCredentials(b, { serverName });
  const c = new EchoClient(running.address, credentials, { ...options, ...LOCAL_POOL });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  const now = Date.now();
  // Roots made three hours ago, so that they can sign the long-expired certificate below.
  [root, otherRoot] = await Promise.all([
    createRootCa({ clusterId: CLUSTER, now: now - 3 * 3_600_000 }),
    createRootCa({ clusterId: CLUSTER, now: now - 3 * 3_600_000 }),
  ]);
  [serverBundle, clientBundle, foreignClient, expiredClient] = await Promise.all([
    bundle(root, { id: 'store-1', role: 'store', now, loopback: true }),
    bundle(root, { id: 'orchestrator-1', role: 'orchestrator', now }),
    bundle(otherRoot, { id: 'orchestrator-1', role: 'orchestrator', now }),
    // Valid for one minute, two hours ago (notBefore is backdated a further hour).
    bundle(root, { id: 'orchestrator-1', role: 'orchestrator', now: now - 7_200_000,
      validityMs: 60_000 }),
  ]);
  running = await startEchoServer(serverCredentials(serverBundle));
});

afterAll(() => {
  for (const c of clients) c.close();
  stopServer(running.server);
});

describe('static mTLS credentials', () => {
  it('lets the server read the client identity (CN/OU/O) from getAuthContext', async () => {
    const result = await whoAmI(client(clientBundle));
    expect(result.code).toBeUndefined();
    expect(result.reply?.identity).toMatchObject({
      id: 'orchestrator-1', role: 'orchestrator', clusterId: CLUSTER,
    });
  });

  it('verifies the server by a DNS SAN: its ID, its role, or localhost', async () => {
    for (const name of ['store-1', 'store', 'localhost']) {
      expect((await whoAmI(client(clientBundle, name))).reply?.identity?.id).toBe('orchestrator-1');
    }
  });

  it('refuses a server whose certificate lacks the expected name', async () => {
    const result = await whoAmI(client(clientBundle, 'dispatcher'), 2000);
    expect(result.code).toBe(grpc.status.UNAVAILABLE);
    expect(result.details).toMatch(/is not in the cert's altnames/);
  });

  it('refuses a client without a certificate', async () => {
    const credentials = grpc.credentials.createSsl(Buffer.from(root.certPem));
    const c = new EchoClient(running.address, credentials, {
      ...channelCredentials(clientBundle, { serverName: 'store' }).options, ...LOCAL_POOL,
    });
    clients.push(c);
    const result = await whoAmI(c, 2000);
    expect(result.code).toBe(grpc.status.UNAVAILABLE);
    expect(result.details).toMatch(/certificate required/);
  });

  it('refuses a client certificate from another root, though its subject is the same', async () => {
    // The foreign client trusts our root, so only the server's check can fail.
    const result = await whoAmI(client({ ...foreignClient, caPem: root.certPem }), 2000);
    expect(result.code).toBe(grpc.status.UNAVAILABLE);
    expect(result.details).toMatch(/Failed to connect/); // the server's TLS alert
  });

  it('refuses an expired client certificate', async () => {
    const result = await whoAmI(client(expiredClient), 2000);
    expect(result.code).toBe(grpc.status.UNAVAILABLE);
    expect(result.details).toMatch(/Failed to connect/);
  });

  it('makes the client refuse a server from another root', async () => {
    const result = await whoAmI(client({ ...clientBundle, caPem: otherRoot.certPem }), 2000);
    expect(result.code).toBe(grpc.status.UNAVAILABLE);
    expect(result.details).toMatch(/self-signed certificate in certificate chain/);
  });
});

describe('peerIdentity', () => {
  it('throws UNAUTHENTICATED on a call without TLS', async () => {
    const insecure = await startEchoServer(grpc.ServerCredentials.createInsecure());
    try {
      const c = new EchoClient(insecure.address, grpc.credentials.createInsecure(), LOCAL_POOL);
      clients.push(c);
      const result = await whoAmI(c);
      expect(result.reply?.error).toMatch(/^UNAUTHENTICATED: the caller presented no client/);
    } finally {
      stopServer(insecure.server);
    }
  });

  it('throws UNAUTHENTICATED for an empty or identity-less peer certificate', () => {
    const noCert = { getAuthContext: () => ({ sslPeerCertificate: {} as never }) };
    expect(() => peerIdentity(noCert)).toThrow(/no client certificate/);
    expect(() => peerIdentity({ getAuthContext: () => null })).toThrow(/no client certificate/);
    const junkCert = { raw: Buffer.from('x') } as never;
    const junk = { getAuthContext: () => ({ sslPeerCertificate: junkCert }) };
    let caught: unknown;
    try {
      peerIdentity(junk);
    } catch (err) {
      caught = err;
    }
    expect(isShoalError(caught, 'UNAUTHENTICATED')).toBe(true);
  });
});
