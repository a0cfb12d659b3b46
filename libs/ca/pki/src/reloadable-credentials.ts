// Certificates that can be replaced under a running grpc-js server and client.
import * as grpc from '@grpc/grpc-js';
import { assert } from '@shoal/assert';
import { checkCertBundle, type CertBundle } from './cert-bundle';
import {
  serverNameOptions,
  type ChannelSecurity,
  type ChannelSecurityOptions,
} from './grpc-credentials';

type CertificateProvider = grpc.experimental.CertificateProvider;
type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

/** ServerCredentialsOptions tune ReloadableCredentials.serverCredentials. */
export interface ServerCredentialsOptions {
  /** 'required' (default): mutual TLS. 'optional': see serverCredentials. */
  readonly clientCertificate?: 'required' | 'optional';
}

/**
 * ReloadableCredentials holds a process's current {@link CertBundle} and hands grpc-js
 * credentials that follow it: after `update(bundle)`, every NEW TLS connection, on servers and
 * on client channels made from this object, uses the new certificate, key and root, with no
 * restart and no effect on connections already open (their RPCs carry on; their peer identity
 * stays what it was at handshake until the connection closes; see docs/design/security.md).
 *
 * How: it is a grpc-js `experimental.CertificateProvider` for both the root (CA) and the
 * identity, passed as BOTH provider arguments of
 * `experimental.createCertificateProviderServerCredentials` and of the channel equivalent. That
 * makes grpc-js 1.14's argument-order pitfall moot: the server function names its parameters
 * (ca, identity) but uses the first as the identity and the second as the CA
 * (grpc-provider.spec.ts pins this down).
 *
 * Contract: the constructor and `update` reject (ShoalError FAILED_PRECONDITION) a bundle whose
 * key does not match its certificate, so a server never loads a broken pair. Listeners get the
 * current bundle asynchronously on registration (process.nextTick: grpc-js registers its server
 * watcher after its provider listeners, and would miss a synchronous first update) and
 * synchronously on each `update`.
 */
export class ReloadableCredentials implements CertificateProvider {
  private bundle: CertBundle;
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  private server: grpc.ServerCredentials | null = null;
  private optionalServer: grpc.ServerCredentials | null = null;
  private readonly channels = new Map<string, grpc.ChannelCredentials>();

  /** Creates credentials that start with `bundle`. */
  constructor(bundle: CertBundle) {
    checkCertBundle(bundle);
    this.bundle = bundle;
  }

  /** current returns the bundle new connections use now. */
  current(): CertBundle {
    return this.bundle;
  }

  /**
   * update makes `bundle` the one new connections use, on every server and channel built from
   * this object. Open connections are not touched; drain them (`server.drain`) to move their
   * clients onto the new certificate sooner.
   */
  update(bundle: CertBundle): void {
    checkCertBundle(bundle);
    this.bundle = bundle;
    const identity = this.identityUpdate();
    const ca = this.caUpdate();
    for (const listener of this.identityListeners) listener(identity);
    for (const listener of this.caListeners) listener(ca);
  }

  /**
   * serverCredentials returns server credentials that present the current certificate and
   * verify client certificates against the current root. By default a client certificate is
   * required (the handshake fails without one). With `{ clientCertificate: 'optional' }` a
   * client may connect without one, or with one the root did not sign, and grpc-js then
   * reports no peer certificate (getAuthContext is empty), so the authorization interceptor
   * lets it reach only insecure methods: that is the `ca`'s listener, whose bootstrap RPCs
   * serve nodes that have no certificate yet. The same object is returned on every call with
   * the same option (grpc-js compares credentials by identity).
   */
  serverCredentials(options: ServerCredentialsOptions = {}): grpc.ServerCredentials {
    const required = (options.clientCertificate ?? 'required') === 'required';
    // NB: arguments are (identity provider, CA provider, requireClientCertificate) in effect,
    // whatever grpc-js's parameter names say; `this` is both.
    if (required) {
      this.server ??= grpc.experimental.createCertificateProviderServerCredentials(this, this, true);
      return this.server;
    }
    this.optionalServer ??= grpc.experimental.createCertificateProviderServerCredentials(
      this,
      this,
      false,
    );
    return this.optionalServer;
  }

  /**
   * channelCredentials returns client credentials that present the current certificate and
   * verify the server against the current root and `serverName`, plus the channel options
   * that name the server (see channelCredentials in grpc-credentials.ts). Credentials are
   * cached per `serverName`, so channels to the same server can share connections.
   */
  channelCredentials(options: ChannelSecurityOptions): ChannelSecurity {
    let credentials = this.channels.get(options.serverName);
    if (credentials === undefined) {
      credentials = grpc.experimental.createCertificateProviderChannelCredentials(this, this);
      this.channels.set(options.serverName, credentials);
    }
    return { credentials, options: serverNameOptions(options.serverName) };
  }

  /** addCaCertificateListener is grpc-js's hook; it gets the root now (next tick) and on update. */
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    process.nextTick(() => {
      if (this.caListeners.has(listener)) listener(this.caUpdate());
    });
  }

  /** removeCaCertificateListener is grpc-js's hook for a server or channel that stopped. */
  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  /** addIdentityCertificateListener is grpc-js's hook; same timing as the CA listener. */
  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    process.nextTick(() => {
      if (this.identityListeners.has(listener)) listener(this.identityUpdate());
    });
  }

  /** removeIdentityCertificateListener is grpc-js's hook for a server or channel that stopped. */
  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }

  private caUpdate(): grpc.experimental.CaCertificateUpdate {
    return { caCertificate: Buffer.from(this.bundle.caPem) };
  }

  private identityUpdate(): grpc.experimental.IdentityCertificateUpdate {
    const update = {
      certificate: Buffer.from(this.bundle.certPem),
      privateKey: Buffer.from(this.bundle.keyPem),
    };
    assert(update.certificate.length > 0, 'identity update has a certificate');
    return update;
  }
}
