// Public surface of @shoal/tls: how every Shoal process does mutual TLS.
//
//   const material = loadTlsMaterial(ctx.config);            // --tls-{ca,cert,key}-file
//   grpcSecurity: () => serverSecurity(material, { logger })   // mTLS + authorization table
//   connectStore({ credentials: channelCredentials(material, 'store'), … })
//   const renewal = startCertRenewal(material, { caEndpoints: ctx.config.caEndpoints, logger });
//
// Servers and clients built from one TlsMaterial follow its renewals without a restart.
// See docs/design/security.md ("Wiring a process").
export { tlsConfig, type TlsConfig } from './config';
export { loadTlsMaterial, TlsMaterial, type MaterialListener } from './material';
export { channelCredentials, serverSecurity, type ServerSecurityOptions } from './security';
export { startCertRenewal, type CertRenewal, type CertRenewalOptions } from './cert-renewal';
export { checkIssued } from './check-issued';
export {
  awaitCertificate,
  callCa,
  openCaClient,
  pause,
  type AwaitCertificateOptions,
} from './ca-client';
export {
  nextRenewalMs,
  renewCertificate,
  renewLoop,
  type RenewCertificateOptions,
  type RenewLoopOptions,
} from './renewer';
