// shoal.v1 Network <-> the Docker API's network JSON (`GET /networks`, `POST /networks/create`).
import { IPAMConfig_AddressFamily as Family, type IPAMConfig, type Network, type NetworkSpec } from '@shoal/proto';
import { ShoalError } from '@shoal/errors';
import { bool, fieldsOf, objList, str, strMap, sub, type JsonObject } from './json';

/** DEFAULT_NETWORK_DRIVER is the driver of a swarm network that names none. */
export const DEFAULT_NETWORK_DRIVER = 'overlay';

function ipamConfigJson(c: IPAMConfig): JsonObject {
  return { Subnet: c.subnet, IPRange: c.range === '' ? undefined : c.range, Gateway: c.gateway === '' ? undefined : c.gateway };
}

/**
 * networkJson converts a Network to Docker's JSON (note `Id`, not `ID`, as dockerd writes it).
 * The allocated IPAM configuration wins over the requested one.
 */
export function networkJson(n: Network): JsonObject {
  const spec = n.spec;
  const ipam = n.ipam ?? spec?.ipam;
  return {
    Name: spec?.annotations?.name ?? '', Id: n.id, Created: (n.meta?.createdAt ?? new Date(0)).toISOString(),
    Scope: 'swarm', Driver: n.driverState?.name || spec?.driverConfig?.name || DEFAULT_NETWORK_DRIVER,
    EnableIPv6: spec?.ipv6Enabled ?? false,
    IPAM: { Driver: ipam?.driver?.name || 'default', Options: { ...(ipam?.driver?.options ?? {}) }, Config: (ipam?.configs ?? []).map(ipamConfigJson) },
    Internal: spec?.internal ?? false, Attachable: spec?.attachable ?? false, Ingress: spec?.ingress ?? false,
    ConfigFrom: { Network: spec?.configFrom ?? '' }, ConfigOnly: false, Containers: {},
    Options: { ...(n.driverState?.options ?? spec?.driverConfig?.options ?? {}) },
    Labels: { ...(spec?.annotations?.labels ?? {}) },
  };
}

function familyOf(subnet: string): Family {
  if (subnet === '') return Family.UNKNOWN;
  return subnet.includes(':') ? Family.IPV6 : Family.IPV4;
}

/**
 * networkSpecFromDocker converts the body of `POST /networks/create`. Shoal's networks are
 * swarm-scoped: a local driver (`bridge`, the docker CLI's default) without `--scope swarm`,
 * `ConfigOnly` networks and a `Scope` other than swarm are refused with INVALID_ARGUMENT.
 */
export function networkSpecFromDocker(body: unknown): NetworkSpec {
  const f = fieldsOf(body, 'NetworkCreateRequest');
  if (f === undefined) throw ShoalError.invalidArgument('the request body must be a JSON network create request');
  const driver = str(f, 'Driver');
  const scope = str(f, 'Scope');
  if (scope !== '' && scope !== 'swarm') {
    throw ShoalError.invalidArgument(`network scope ${JSON.stringify(scope)} is not supported: Shoal networks are swarm-scoped`);
  }
  if ((driver === '' || driver === 'bridge') && scope !== 'swarm') {
    throw ShoalError.invalidArgument('Shoal manages swarm-scoped networks only: use --driver overlay (or --scope swarm)');
  }
  if (bool(f, 'ConfigOnly')) throw ShoalError.invalidArgument('config-only networks are not supported by Shoal');
  const ipam = sub(f, 'IPAM');
  const configFrom = sub(f, 'ConfigFrom');
  return {
    annotations: { name: str(f, 'Name'), labels: strMap(f, 'Labels') },
    driverConfig: { name: driver === '' ? DEFAULT_NETWORK_DRIVER : driver, options: strMap(f, 'Options') },
    ipv6Enabled: bool(f, 'EnableIPv6'), internal: bool(f, 'Internal'),
    ipam: ipam === undefined ? undefined : {
      driver: { name: str(ipam, 'Driver') || 'default', options: strMap(ipam, 'Options') },
      configs: objList(ipam, 'Config').map((c) => ({
        family: familyOf(str(c, 'Subnet')), subnet: str(c, 'Subnet'), range: str(c, 'IPRange'), gateway: str(c, 'Gateway'),
        reserved: strMap(c, 'AuxiliaryAddresses'),
      })),
    },
    attachable: bool(f, 'Attachable'), ingress: bool(f, 'Ingress'),
    configFrom: configFrom === undefined ? '' : str(configFrom, 'Network'),
  };
}
