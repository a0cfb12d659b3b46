// Goal: (1) pin down how grpc-js 1.14's certificate providers really behave: the server
// factory's argument-order pitfall and the need to deliver the first update asynchronously;
// (2) show that ReloadableCredentials rotates a running server's and client's certificates
// while a stream of RPCs keeps succeeding, none dropped. Method: real grpc-js on 127.0.0.1 with
// real certificates; rotation is driven explicitly (update, then server.drain) rather than by
// waiting for expiry, so the test takes about a second.
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { isShoalError } from '@shoal/errors';
import type { CertBundle } from './cert-bundle';
import { channelCredentials, serverCredentials } from './grpc-credentials';
import { ReloadableCredentials } from './reloadable-credentials';
import { createRootCa, type RootCa } from './root-ca';
import { issueCertificate } from './sign';
import {
  EchoClient,
  startEchoServer,
  stopServer,
  whoAmI,
  type WhoAmIResult,
} from './testdata/echo-service';

// RSA key generation is slow and variable (0.2-2 s per key, more on a loaded CI machine).
jest.setTimeout(60_000);

type Provider = grpc.experimental.CertificateProvider;
type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

const CLUSTER = 'testcluster';
const LOCAL_POOL = { 'grpc.use_local_subchannel_pool': 1 };
const SHORT_VALIDITY_MS = 2 * 60_000;
let root: RootCa;
const servers: grpc.Server[] = [];
const clients: grpc.Client[] = [];

async function issue(id: string, role: 'store' | 'orchestrator'): Promise<CertBundle> {
  const issued = await issueCertificate({
    ca: root, id, role, clusterId: CLUSTER, now: Date.now(), validityMs: SHORT_VALIDITY_MS,
    loopback: role === 'store',
  });
  return { caPem: root.certPem, certPem: issued.certPem, keyPem: issued.keyPem };
}

/** A provider of fixed material that serves only what it was given, like one grpc-js half. */
class FixedProvider implements Provider {
  constructor(
    private readonly material: { ca?: string; identity?: CertBundle },
    private readonly synchronous = false,
  ) {}
  addCaCertificateListener(listener: CaListener): void {
    const { ca } = this.material;
    if (ca !== undefined) this.emit(() => listener({ caCertificate: Buffer.from(ca) }));
  }
  removeCaCertificateListener(): void {
    // Fixed material: nothing to stop.
  }
  addIdentityCertificateListener(listener: IdentityListener): void {
    const { identity } = this.material;
    if (identity === undefined) return;
    const update = {
      certificate: Buffer.from(identity.certPem), privateKey: Buffer.from(identity.keyPem),
    };
    this.emit(() => listener(update));
  }
  removeIdentityCertificateListener(): void {
    // Fixed material: nothing to stop.
  }
  private emit(f: () => void): void {
    if (this.synchronous) f();
    else process.nextTick(f);
  }
}

async function serve(credentials: grpc.ServerCredentials): Promise<string> {
  const running = await startEchoServer(credentials);
  servers.push(running.server);
  return running.address;
}

function dial(address: string, security: { credentials: grpc.ChannelCredentials;
  options: grpc.ChannelOptions }): grpc.Client {
  const c = new EchoClient(address, security.credentials, { ...security.options, ...LOCAL_POOL });
  clients.push(c);
  return c;
}

let serverBundle: CertBundle;
let clientBundle: CertBundle;

beforeAll(async () => {
  root = await createRootCa({ clusterId: CLUSTER, now: Date.now() });
  [serverBundle, clientBundle] = await Promise.all([
    issue('store-1', 'store'),
    issue('orchestrator-1', 'orchestrator'),
  ]);
});

afterAll(() => {
  for (const c of clients) c.close();
  for (const s of servers) stopServer(s);
});

describe('grpc-js certificate providers (pinned behaviour of 1.14.7)', () => {
  it('server factory: the FIRST argument is used as the identity, despite its name', async () => {
    const caOnly = new FixedProvider({ ca: root.certPem });
    const identityOnly = new FixedProvider({ identity: serverBundle });
    const client = channelCredentials(clientBundle, { serverName: 'store' });
    const create = grpc.experimental.createCertificateProviderServerCredentials;

    // As the parameter names say (caCertificateProvider, identityCertificateProvider): broken.
    const asNamed = await serve(create(caOnly, identityOnly, true));
    const refused = await whoAmI(dial(asNamed, client), 1500);
    expect(refused.code).toBe(grpc.status.UNAVAILABLE);

    // As the implementation uses them (identity, ca): works, and requires client certificates.
    const asUsed = await serve(create(identityOnly, caOnly, true));
    const ok = await whoAmI(dial(asUsed, client));
    expect(ok.reply?.identity?.id).toBe('orchestrator-1');
    const anonymous = { credentials: grpc.credentials.createSsl(Buffer.from(root.certPem)),
      options: client.options };
    expect((await whoAmI(dial(asUsed, anonymous), 1500)).code).toBe(grpc.status.UNAVAILABLE);
  });

  it('channel factory: arguments are (ca, identity) as named', async () => {
    const address = await serve(serverCredentials(serverBundle));
    const credentials = grpc.experimental.createCertificateProviderChannelCredentials(
      new FixedProvider({ ca: root.certPem }),
      new FixedProvider({ identity: clientBundle }),
    );
    const result = await whoAmI(dial(address, { credentials, options: {
      'grpc.ssl_target_name_override': 'store' } }));
    expect(result.reply?.identity?.id).toBe('orchestrator-1');
  });

  it('server: a first update delivered synchronously is lost: providers must defer', async () => {
    const both = new FixedProvider({ ca: root.certPem, identity: serverBundle }, true);
    const create = grpc.experimental.createCertificateProviderServerCredentials;
    const address = await serve(create(both, both, true));
    const client = channelCredentials(clientBundle, { serverName: 'store' });
    expect((await whoAmI(dial(address, client), 1500)).code).toBe(grpc.status.UNAVAILABLE);
  });
});

describe('ReloadableCredentials', () => {
  it('serves mTLS like the static credentials, and reuses its credential objects', async () => {
    const serverSide = new ReloadableCredentials(serverBundle);
    const clientSide = new ReloadableCredentials(clientBundle);
    expect(serverSide.serverCredentials()).toBe(serverSide.serverCredentials());
    const security = clientSide.channelCredentials({ serverName: 'store' });
    expect(clientSide.channelCredentials({ serverName: 'store' }).credentials)
      .toBe(security.credentials);
    const address = await serve(serverSide.serverCredentials());
    const result = await whoAmI(dial(address, security));
    expect(result.reply?.identity).toMatchObject({ id: 'orchestrator-1', role: 'orchestrator' });
  });

  it('refuses a bundle whose key is not the certificate\'s, keeping the current one', () => {
    const creds = new ReloadableCredentials(serverBundle);
    let caught: unknown;
    try {
      creds.update({ ...serverBundle, keyPem: clientBundle.keyPem });
    } catch (err) {
      caught = err;
    }
    expect(isShoalError(caught, 'FAILED_PRECONDITION')).toBe(true);
    expect(creds.current()).toBe(serverBundle);
  });

  it('rotates server and client certificates under a stream of RPCs without dropping one',
    async () => {
      const serverSide = new ReloadableCredentials(serverBundle);
      const clientSide = new ReloadableCredentials(clientBundle);
      const address = await serve(serverSide.serverCredentials());
      const server = servers[servers.length - 1] as grpc.Server;
      const client = dial(address, clientSide.channelCredentials({ serverName: 'store' }));
      const oldServerSerial = serialOf(serverBundle);
      const oldClientSerial = serialOf(clientBundle);

      const results: WhoAmIResult[] = [];
      let stop = false;
      const callers = Array.from({ length: 4 }, async () => {
        while (!stop) results.push(await whoAmI(client));
      });
      await until(() => results.length >= 40);

      // Renew both (new keys, as the renewer does), install, then drain open connections.
      const [newServer, newClient] = await Promise.all([
        issue('store-1', 'store'),
        issue('orchestrator-1', 'orchestrator'),
      ]);
      serverSide.update(newServer);
      clientSide.update(newClient);
      const rotatedAt = results.length;
      server.drain(address, 5000);
      await until(() => results.slice(rotatedAt).some(
        (r) => r.reply?.identity?.serial === serialOf(newClient)));
      const switchedAt = results.length;
      await until(() => results.length >= switchedAt + 40);
      stop = true;
      await Promise.all(callers);

      const failures = results.filter((r) => r.code !== undefined || !r.reply?.identity);
      expect(failures).toEqual([]);
      const before = results.slice(0, rotatedAt);
      expect(before.every((r) => r.reply?.identity?.serial === oldClientSerial)).toBe(true);
      expect(before.every((r) => r.serverSerial === oldServerSerial)).toBe(true);
      const settled = results.slice(switchedAt + 10);
      expect(settled.every((r) => r.reply?.identity?.serial === serialOf(newClient))).toBe(true);
      expect(settled.every((r) => r.serverSerial === serialOf(newServer))).toBe(true);
    });
});

function serialOf(bundle: CertBundle): string {
  return new X509Certificate(bundle.certPem).serialNumber.toLowerCase();
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
