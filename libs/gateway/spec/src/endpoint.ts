// Published ports: range, protocol, publish mode, DNSRR and duplicates (SwarmKit controlapi).
import { NETWORK_LIMITS } from '@shoal/limits';
import {
  EndpointSpec_ResolutionMode,
  PortConfig_Protocol,
  PortConfig_PublishMode,
  type EndpointSpec,
  type PortConfig,
} from '@shoal/proto';
import { invalid } from './invalid';

const PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  [PortConfig_Protocol.TCP]: 'tcp',
  [PortConfig_Protocol.UDP]: 'udp',
  [PortConfig_Protocol.SCTP]: 'sctp',
};

/** protocolName is the lower-case name of a port protocol (`tcp`, `udp`, `sctp`). */
export function protocolName(protocol: PortConfig_Protocol): string {
  return PROTOCOL_NAMES[protocol] ?? 'unknown';
}

function inRange(port: number): boolean {
  return Number.isInteger(port) && port >= NETWORK_LIMITS.portMin && port <= NETWORK_LIMITS.portMax;
}

function validatePort(port: PortConfig): void {
  if (PROTOCOL_NAMES[port.protocol] === undefined) {
    throw invalid(`EndpointSpec: invalid protocol ${port.protocol}: expected tcp, udp or sctp`);
  }
  const mode = port.publishMode;
  if (mode !== PortConfig_PublishMode.INGRESS && mode !== PortConfig_PublishMode.HOST) {
    throw invalid(`EndpointSpec: invalid publish mode ${mode}: expected ingress or host`);
  }
  if (!inRange(port.targetPort)) {
    throw invalid(`EndpointSpec: invalid target port ${port.targetPort}: must be between ` +
      `${NETWORK_LIMITS.portMin} and ${NETWORK_LIMITS.portMax}`);
  }
  if (port.publishedPort !== 0 && !inRange(port.publishedPort)) {
    throw invalid(`EndpointSpec: invalid published port ${port.publishedPort}: must be between ` +
      `${NETWORK_LIMITS.portMin} and ${NETWORK_LIMITS.portMax}`);
  }
}

/**
 * validateEndpointSpec checks a service's endpoint: each port valid, no ingress ports with
 * DNSRR, no published port (with its protocol) twice. Throws INVALID_ARGUMENT.
 */
export function validateEndpointSpec(endpoint: EndpointSpec | undefined): void {
  if (endpoint === undefined) return;
  const mode = endpoint.mode;
  if (mode !== EndpointSpec_ResolutionMode.VIP && mode !== EndpointSpec_ResolutionMode.DNSRR) {
    throw invalid(`EndpointSpec: invalid resolution mode ${mode}: expected vip or dnsrr`);
  }
  const seen = new Set<string>();
  for (const port of endpoint.ports) {
    validatePort(port);
    const ingress = port.publishMode === PortConfig_PublishMode.INGRESS;
    if (mode === EndpointSpec_ResolutionMode.DNSRR && ingress) {
      throw invalid("EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
    }
    if (port.publishedPort === 0) continue;
    const key = `${port.publishedPort}/${port.protocol}`;
    if (seen.has(key)) throw invalid('EndpointSpec: duplicate published ports provided');
    seen.add(key);
  }
}
