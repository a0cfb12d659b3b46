// Public surface of @shoal/pki: the cluster CA's certificates, join tokens, renewal timing,
// certificate files, gRPC mutual-TLS credentials with rotation, and the authorization
// interceptor that enforces who may call what. See docs/design/security.md.
export * from '@shoal/limits';
export { isIdentityName, isRole, ROLES, type Role } from './role';
export { generateRsaKeyPem } from './keys';
export { certificateDigest, digestFromBase36, digestFromHex, type RootDigest } from './digest';
export { createRootCa, type CreateRootCaOptions, type RootCa } from './root-ca';
export { createKeyAndCsr, type CsrSubject, type KeyAndCsr } from './csr';
export {
  issueCertificate,
  signCsr,
  type CertificateDecision,
  type IssuedCertificate,
  type SignCsrOptions,
  type SignedCertificate,
  type SigningCa,
} from './sign';
export { parseIdentity, type Identity } from './identity';
export { verifyChain, type ChainFailure, type ChainVerdict } from './verify-chain';
export {
  generateJoinToken,
  parseJoinToken,
  tokensEqual,
  verifyRootAgainstToken,
  type JoinToken,
  type RootPinVerdict,
} from './join-token';
export { renewalDelayMs, type RenewalDelayOptions } from './renewal';
export { CryptoRandom } from './crypto-random';
export {
  CERT_BUNDLE_FILES,
  checkCertBundle,
  readCertBundle,
  writeCertBundle,
  writeCertFiles,
  type CertBundle,
  type CertFiles,
} from './cert-bundle';
export {
  channelCredentials,
  peerIdentity,
  serverCredentials,
  serverNameOptions,
  type AuthContextSource,
  type ChannelSecurity,
  type ChannelSecurityOptions,
} from './grpc-credentials';
export {
  ReloadableCredentials,
  type ServerCredentialsOptions,
} from './reloadable-credentials';
export {
  authorizationInterceptor,
  authorize,
  type AuthorizationInterceptorOptions,
  type AuthorizationRule,
  type AuthorizationTable,
  type AuthorizationVerdict,
  type MethodCaller,
} from './authorization';
export {
  authorizedServer,
  unauthorizedMethods,
  type AuthorizedServerOptions,
} from './authorized-server';
