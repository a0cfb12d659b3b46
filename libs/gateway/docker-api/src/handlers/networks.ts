// /networks: list (with dockerd's network filters), inspect, create, remove.
import type { ControlApi } from '@shoal/gateway-control';
import { ShoalError } from '@shoal/errors';
import { ListNetworksRequest, type Network } from '@shoal/proto';
import { DEFAULT_NETWORK_DRIVER, networkJson, networkSpecFromDocker } from '../convert/network-out';
import { checkFilterKeys, filterValues, labelFilter, matchesLabels, parseFilters, type FilterArgs } from '../filters';
import { empty, ID, json, route, type DockerRequest, type Route } from '../http/route';
import { networkLookup } from '../lookups';
import { resolveRef } from '../resolve';

const NETWORK_FILTERS = ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'];

function matches(n: Network, args: FilterArgs): boolean {
  const name = n.spec?.annotations?.name ?? '';
  const driver = n.driverState?.name || n.spec?.driverConfig?.name || DEFAULT_NETWORK_DRIVER;
  const names = filterValues(args, 'name');
  const ids = filterValues(args, 'id');
  const drivers = filterValues(args, 'driver');
  const scopes = filterValues(args, 'scope');
  const types = filterValues(args, 'type');
  return (names.length === 0 || names.some((v) => name.includes(v)))
    && (ids.length === 0 || ids.some((v) => n.id.startsWith(v)))
    && (drivers.length === 0 || drivers.includes(driver))
    && (scopes.length === 0 || scopes.includes('swarm'))
    && (types.length === 0 || types.includes(n.spec?.ingress === true ? 'builtin' : 'custom'))
    && matchesLabels(n.spec?.annotations?.labels ?? {}, labelFilter(args));
}

async function list(api: ControlApi, req: DockerRequest) {
  const args = parseFilters(req.query.get('filters'));
  checkFilterKeys(args, NETWORK_FILTERS);
  for (const t of filterValues(args, 'type')) {
    if (t !== 'custom' && t !== 'builtin') throw ShoalError.invalidArgument(`invalid filter: 'type'='${t}'`);
  }
  const networks = (await api.listNetworks(ListNetworksRequest.fromPartial({}))).networks;
  return json(networks.filter((n) => matches(n, args)).map(networkJson));
}

/** networkRoutes are the /networks routes over `api`. */
export function networkRoutes(api: ControlApi): Route[] {
  return [
    route('GET', '/networks', (req) => list(api, req)),
    route('POST', '/networks/create', async (req) => {
      const created = await api.createNetwork({ spec: networkSpecFromDocker(req.body) });
      if (created.network === undefined) throw ShoalError.internal('the Control API created a network but returned none');
      return json({ Id: created.network.id, Warning: '' }, 201);
    }),
    route('GET', `/networks/${ID}`, async (req) => json(networkJson(await resolveRef(networkLookup(api), req.params[0] ?? '')))),
    route('DELETE', `/networks/${ID}`, async (req) => {
      const network = await resolveRef(networkLookup(api), req.params[0] ?? '');
      await api.removeNetwork({ networkId: network.id, name: '' });
      return empty(204);
    }),
  ];
}
