// The CLI's connections to a running cluster: the Control API on the api-gateway (as the
// admin bundle) and the Store Members API on the raft-store (as the gateway bundle: Members
// allows roles store and gateway only, not admin). Both from the state directory.
import { join } from 'node:path';
import { connectControl, type ControlApi } from '@shoal/gateway-control';
import { channelCredentials, readCertBundle, type CertBundle } from '@shoal/pki';
import { connectStore, type StoreClient } from '@shoal/store-client';
import { CliError, EXIT_REFUSED } from './cli-error';
import { parseDurationText } from './duration-text';
import type { LinkOptions } from './link-options';

/** ClusterLink is what a command talks to; tests supply their own. */
export interface ClusterLink {
  readonly control: ControlApi;
  /** The store client (Members API), opened on first use. */
  store(): Promise<StoreClient>;
  close(): void;
}

/** LinkFactory opens a {@link ClusterLink}. */
export type LinkFactory = (options: LinkOptions) => Promise<ClusterLink>;

async function bundle(stateDir: string, dir: string, purpose: string): Promise<CertBundle> {
  try {
    return await readCertBundle(join(stateDir, dir));
  } catch {
    throw new CliError(`no ${dir} certificate bundle in ${join(stateDir, dir)} (ca.pem, cert.pem, key.pem), ` +
      `needed ${purpose}; pass the --state-dir that \`shoal init\` wrote`, EXIT_REFUSED);
  }
}

/** openLink connects with the certificates of `options.stateDir` (see the file comment). */
export const openLink: LinkFactory = async (options) => {
  const deadlineMs = parseDurationText(options.timeout) ?? 10_000;
  const admin = await bundle(options.stateDir, 'admin', 'to call the api-gateway');
  const security = channelCredentials(admin, { serverName: 'gateway' });
  const control = connectControl({ address: options.gateway, credentials: security.credentials,
    channelOptions: security.options, deadlineMs });
  let store: StoreClient | undefined;
  return {
    control,
    store: async () => {
      if (store !== undefined) return store;
      const gateway = await bundle(options.stateDir, 'gateway', 'to call the raft-store Members API');
      store = connectStore({ endpoints: options.storeEndpoints,
        credentials: channelCredentials(gateway, { serverName: 'store' }), deadlineMs, writeDeadlineMs: deadlineMs });
      return store;
    },
    close: () => {
      control.close();
      store?.close();
    },
  };
};
