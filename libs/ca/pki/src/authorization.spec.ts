// Goal: the authorization interceptor enforces the generated AUTHORIZATION table on real
// servers: a worker certificate cannot call Store.Transaction, Store.Watch or
// Control.CreateService (PERMISSION_DENIED naming the role and the method, and the handler never
// runs); a store certificate can call Raft; gateway and admin certificates can call Control; a
// client without a certificate is refused by an mTLS server and gets UNAUTHENTICATED from the
// CA-style listener (client certificate optional), where the insecure methods (root fetch,
// issuance, health) are callable over server-only TLS. Also: authorize() as a pure decision, and
// authorizedServer refusing a service without rules or an insecure listener. Method: real
// grpc-js servers on 127.0.0.1:0 serving the generated Store, Control, Raft, CA and Health
// definitions with stub handlers that count their calls; real certificates per role.
import * as grpc from '@grpc/grpc-js';
import { AssertionFailure } from '@shoal/assert';
import { fromGrpcError } from '@shoal/grpc';
import {
  AUTHORIZATION,
  CAService,
  ControlService,
  HealthService,
  RaftService,
  StoreService,
} from '@shoal/proto-grpc';
import { authorize } from './authorization';
import { authorizedServer } from './authorized-server';
import type { CertBundle } from './cert-bundle';
import { channelCredentials, peerIdentity, serverNameOptions } from './grpc-credentials';
import { ReloadableCredentials } from './reloadable-credentials';
import type { Role } from './role';
import { createRootCa, type RootCa } from './root-ca';
import { issueCertificate } from './sign';
import { ECHO_SERVICE } from './testdata/echo-service';
import { TLSSocket } from 'node:tls';

// RSA key generation is slow and variable (0.2-2 s per key, more on a loaded CI machine).
jest.setTimeout(60_000);

const CLUSTER = 'testcluster';
const LOCAL_POOL = { 'grpc.use_local_subchannel_pool': 1 };
const CALL_DEADLINE_MS = 5_000;
const SERVICES = [StoreService, ControlService, RaftService, CAService, HealthService];

let root: RootCa;
let otherRoot: RootCa;
const bundles = new Map<string, CertBundle>();
let mtlsAddress: string;
let optionalAddress: string;
const servers: grpc.Server[] = [];
const clients: grpc.Client[] = [];
const handled = new Map<string, number>();
/** The identity each unary handler read with peerIdentity, by method path. */
const seen = new Map<string, string>();

type AnyDefinition = grpc.ServiceDefinition;
type Handler = (...args: never[]) => void;

/** stubImplementation answers every method with its empty response and counts calls. */
function stubImplementation(def: AnyDefinition): grpc.UntypedServiceImplementation {
  const impl: Record<string, Handler> = {};
  for (const [name, m] of Object.entries(def)) {
    const empty: unknown = m.responseDeserialize(Buffer.alloc(0));
    const count = (): void => void handled.set(m.path, (handled.get(m.path) ?? 0) + 1);
    if (!m.requestStream && !m.responseStream) {
      impl[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        count();
        try {
          seen.set(m.path, peerIdentity(call).role);
        } catch {
          seen.set(m.path, 'none');
        }
        cb(null, empty);
      };
    } else if (m.requestStream && !m.responseStream) {
      impl[name] = (call: grpc.ServerReadableStream<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        count();
        call.on('data', () => undefined);
        call.on('end', () => cb(null, empty));
      };
    } else {
      impl[name] = (call: grpc.ServerWritableStream<unknown, unknown>) => {
        count();
        call.write(empty);
        call.end();
      };
    }
  }
  return impl as grpc.UntypedServiceImplementation;
}

async function issue(ca: RootCa, id: string, role: Role, loopback = false): Promise<CertBundle> {
  const issued = await issueCertificate({ ca, id, role, clusterId: CLUSTER, now: Date.now(),
    loopback });
  return { caPem: ca.certPem, certPem: issued.certPem, keyPem: issued.keyPem };
}

async function start(credentials: grpc.ServerCredentials): Promise<string> {
  const server = authorizedServer({ table: AUTHORIZATION, credentials });
  for (const def of SERVICES) server.addService(def, stubImplementation(def));
  servers.push(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return `127.0.0.1:${port}`;
}

/** Outcome of one call: OK, or the status code and details. */
interface Outcome {
  readonly code: number;
  readonly details: string;
  readonly error: grpc.ServiceError | null;
}

/** callMethod calls `method` of `def` once (any streaming kind) and reports how it ended. */
function callMethod(
  address: string,
  def: AnyDefinition,
  method: string,
  creds: { credentials: grpc.ChannelCredentials; options: grpc.ChannelOptions },
): Promise<Outcome> {
  const Client = grpc.makeGenericClientConstructor(def, 'Test');
  const client = new Client(address, creds.credentials, { ...creds.options, ...LOCAL_POOL });
  clients.push(client);
  const m = def[method];
  if (m === undefined) throw new Error(`no method ${method}`);
  const request: unknown = m.requestDeserialize(Buffer.alloc(0));
  const deadline = Date.now() + CALL_DEADLINE_MS;
  const fn = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[method];
  if (fn === undefined) throw new Error(`client lacks ${method}`);
  return new Promise((resolve) => {
    const done = (err: grpc.ServiceError | null): void =>
      resolve({ code: err?.code ?? grpc.status.OK, details: err?.details ?? '', error: err });
    if (!m.responseStream) {
      const cb = (err: grpc.ServiceError | null): void => done(err);
      const call = m.requestStream
        ? (fn.call(client, { deadline }, cb) as grpc.ClientWritableStream<unknown>)
        : fn.call(client, request, { deadline }, cb);
      if (m.requestStream) (call as grpc.ClientWritableStream<unknown>).end();
      return;
    }
    const stream = fn.call(client, request, { deadline }) as grpc.ClientReadableStream<unknown>;
    stream.on('data', () => undefined);
    stream.on('error', (err: grpc.ServiceError) => done(err));
    stream.on('end', () => done(null));
  });
}

function mtls(role: string, serverName = 'store'): ReturnType<typeof channelCredentials> {
  const bundle = bundles.get(role);
  if (bundle === undefined) throw new Error(`no bundle for ${role}`);
  return channelCredentials(bundle, { serverName });
}

function serverOnlyTls(serverName = 'store'): ReturnType<typeof channelCredentials> {
  const credentials = grpc.credentials.createSsl(Buffer.from(root.certPem));
  return { credentials, options: serverNameOptions(serverName) };
}

beforeAll(async () => {
  [root, otherRoot] = await Promise.all([
    createRootCa({ clusterId: CLUSTER, now: Date.now() }),
    createRootCa({ clusterId: CLUSTER, now: Date.now() }),
  ]);
  const made = await Promise.all([
    issue(root, 'store-1', 'store', true),
    issue(root, 'worker-node', 'worker'),
    issue(root, 'store-2', 'store'),
    issue(root, 'gateway-1', 'gateway'),
    issue(root, 'admin-1', 'admin'),
    issue(otherRoot, 'admin-2', 'admin'),
  ]);
  ['server', 'worker', 'store', 'gateway', 'admin', 'foreign'].forEach((k, i) =>
    bundles.set(k, made[i] as CertBundle),
  );
  const serverCreds = new ReloadableCredentials(made[0] as CertBundle);
  mtlsAddress = await start(serverCreds.serverCredentials());
  optionalAddress = await start(serverCreds.serverCredentials({ clientCertificate: 'optional' }));
});

afterAll(() => {
  for (const c of clients) c.close();
  for (const s of servers) s.forceShutdown();
});

describe('authorization interceptor on an mTLS server', () => {
  it.each([
    ['Transaction', StoreService, 'transaction', '/shoal.v1.Store/Transaction'],
    ['Watch (server stream)', StoreService, 'watch', '/shoal.v1.Store/Watch'],
    ['CreateService', ControlService, 'createService', '/shoal.v1.Control/CreateService'],
    ['Raft Send (client stream)', RaftService, 'send', '/shoal.v1.Raft/Send'],
  ])('refuses a worker calling %s with PERMISSION_DENIED naming role and method', async (
    _label, def, method, path,
  ) => {
    const before = handled.get(path) ?? 0;
    const outcome = await callMethod(mtlsAddress, def, method, mtls('worker'));
    expect(outcome.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(outcome.details).toBe(`role "worker" may not call ${path}`);
    expect(handled.get(path) ?? 0).toBe(before);
  });

  it('carries the precise ShoalError code to the client', async () => {
    const outcome = await callMethod(mtlsAddress, StoreService, 'get', mtls('worker'));
    expect(fromGrpcError(outcome.error).code).toBe('PERMISSION_DENIED');
  });

  it.each([
    ['store', 'Raft', 'resolveAddress', RaftService],
    ['store', 'Raft', 'send', RaftService],
    ['gateway', 'Store', 'transaction', StoreService],
    ['gateway', 'Control', 'createService', ControlService],
    ['admin', 'Control', 'createService', ControlService],
    ['worker', 'Health', 'check', HealthService],
  ])('lets a %s certificate call %s.%s', async (role, _service, method, def) => {
    const outcome = await callMethod(mtlsAddress, def, method, mtls(role));
    expect([outcome.code, outcome.details]).toEqual([grpc.status.OK, '']);
  });

  it('refuses a store certificate on Control and an admin on Raft', async () => {
    const a = await callMethod(mtlsAddress, ControlService, 'listNodes', mtls('store'));
    expect(a.details).toBe('role "store" may not call /shoal.v1.Control/ListNodes');
    const b = await callMethod(mtlsAddress, RaftService, 'resolveAddress', mtls('admin'));
    expect(b.details).toBe('role "admin" may not call /shoal.v1.Raft/ResolveAddress');
  });

  it('hands the handler the identity it verified, without asking TLS for the certificate again', async () => {
    // One client, two calls: the first opens the connection (the handshake reads certificates
    // too); only the second call is counted.
    const Client = grpc.makeGenericClientConstructor(ControlService, 'Test');
    const creds = mtls('admin');
    const client = new Client(mtlsAddress, creds.credentials, { ...creds.options, ...LOCAL_POOL });
    clients.push(client);
    const create = (): Promise<grpc.ServiceError | null> => new Promise((resolve) => {
      const fn = (client as unknown as Record<string, (...a: unknown[]) => void>)['createService'];
      fn?.call(client, ControlService['createService']?.requestDeserialize(Buffer.alloc(0)),
        { deadline: Date.now() + CALL_DEADLINE_MS }, (err: grpc.ServiceError | null) => resolve(err));
    });
    expect(await create()).toBeNull();
    const asked = jest.spyOn(TLSSocket.prototype, 'getPeerCertificate');
    try {
      const outcome = { code: (await create())?.code ?? grpc.status.OK };
      expect(outcome.code).toBe(grpc.status.OK);
      expect(seen.get('/shoal.v1.Control/CreateService')).toBe('admin');
      expect(asked).toHaveBeenCalledTimes(1);
    } finally {
      asked.mockRestore();
    }
  });

  it('refuses a client without a certificate at the handshake', async () => {
    const outcome = await callMethod(mtlsAddress, HealthService, 'check', serverOnlyTls());
    expect(outcome.code).toBe(grpc.status.UNAVAILABLE);
  });
});

describe('the CA-style listener (client certificate optional)', () => {
  it.each([
    ['CA.getRootCaCertificate', CAService, 'getRootCaCertificate'],
    ['CA.issueNodeCertificate', CAService, 'issueNodeCertificate'],
    ['CA.nodeCertificateStatus', CAService, 'nodeCertificateStatus'],
    ['Health.check', HealthService, 'check'],
  ])('serves insecure method %s over server-only TLS', async (_label, def, method) => {
    const outcome = await callMethod(optionalAddress, def, method, serverOnlyTls());
    expect([outcome.code, outcome.details]).toEqual([grpc.status.OK, '']);
  });

  it('answers UNAUTHENTICATED to a call without a certificate on a secured method', async () => {
    const outcome = await callMethod(optionalAddress, StoreService, 'get', serverOnlyTls());
    expect(outcome.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(outcome.details).toBe('/shoal.v1.Store/Get requires a client certificate');
    const unlock = await callMethod(optionalAddress, CAService, 'getUnlockKey', serverOnlyTls());
    expect(unlock.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('treats a certificate from another root as no certificate', async () => {
    const foreign = mtls('foreign');
    const creds = { ...foreign, credentials: grpc.credentials.createSsl(
      Buffer.from(root.certPem),
      Buffer.from((bundles.get('foreign') as CertBundle).keyPem),
      Buffer.from((bundles.get('foreign') as CertBundle).certPem),
    ) };
    const secured = await callMethod(optionalAddress, CAService, 'getUnlockKey', creds);
    expect(secured.code).toBe(grpc.status.UNAUTHENTICATED);
    const open = await callMethod(optionalAddress, CAService, 'getRootCaCertificate', creds);
    expect(open.code).toBe(grpc.status.OK);
  });

  it('still authorizes by role when a certificate is presented', async () => {
    const worker = await callMethod(optionalAddress, CAService, 'getUnlockKey', mtls('worker'));
    expect(worker.details).toBe('role "worker" may not call /shoal.v1.CA/GetUnlockKey');
    const admin = await callMethod(optionalAddress, CAService, 'getUnlockKey', mtls('admin'));
    expect(admin.code).toBe(grpc.status.OK);
  });
});

describe('authorize', () => {
  const noCert = { getAuthContext: () => ({}) };
  it('refuses a method that has no rule, or a null rule (fail closed)', () => {
    for (const table of [{}, { '/x.Y/Z': null }]) {
      const verdict = authorize(table, { path: '/x.Y/Z', call: noCert });
      expect(verdict.allowed).toBe(false);
      if (!verdict.allowed) {
        expect(verdict.error.code).toBe('PERMISSION_DENIED');
        expect(verdict.error.message).toBe('method /x.Y/Z has no authorization rule');
      }
    }
  });

  it('does not take inherited properties for rules', () => {
    const verdict = authorize({}, { path: 'constructor', call: noCert });
    expect(verdict.allowed).toBe(false);
  });

  it('allows an insecure method without a certificate, with a null identity', () => {
    expect(authorize({ '/x.Y/Z': 'insecure' }, { path: '/x.Y/Z', call: noCert })).toEqual({
      allowed: true,
      identity: null,
    });
  });
});

describe('authorizedServer', () => {
  it('refuses to add a service whose methods have no rule', () => {
    const server = authorizedServer({
      table: AUTHORIZATION,
      credentials: new ReloadableCredentials(bundles.get('server') as CertBundle)
        .serverCredentials(),
    });
    expect(() => server.addService(ECHO_SERVICE, {})).toThrow(AssertionFailure);
    expect(() => server.addService(ECHO_SERVICE, {})).toThrow(/WhoAmI/);
    server.forceShutdown();
  });

  it('refuses insecure (plaintext) credentials', () => {
    expect(() =>
      authorizedServer({ table: AUTHORIZATION, credentials: grpc.ServerCredentials.createInsecure() }),
    ).toThrow(AssertionFailure);
  });
});
