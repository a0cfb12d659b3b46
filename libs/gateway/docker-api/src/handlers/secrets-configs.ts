// /secrets and /configs: list, create, inspect, update (labels), remove.
import type { ControlApi } from '@shoal/gateway-control';
import { ShoalError } from '@shoal/errors';
import { ListConfigsRequest, ListSecretsRequest, type Driver } from '@shoal/proto';
import { fieldsOf, str, strMap, sub, type Fields } from '../convert/json';
import { configJson, secretJson } from '../convert/objects-out';
import { checkFilterKeys, filterValues, labelFilter, parseFilters, type FilterArgs } from '../filters';
import { empty, ID, json, route, type DockerRequest, type Route } from '../http/route';
import { configLookup, secretLookup } from '../lookups';
import { resolveRef } from '../resolve';
import { versionParam } from './services';

const FILTERS = ['id', 'label', 'name', 'names'];

/** SpecFields are the parts of a SecretSpec or ConfigSpec body the gateway reads. */
interface SpecFields {
  readonly annotations: { name: string; labels: Record<string, string> };
  readonly data: Buffer;
  readonly templating: Driver | undefined;
  readonly driver: Driver | undefined;
}

function driverOf(f: Fields, key: string): Driver | undefined {
  const d = sub(f, key);
  return d === undefined ? undefined : { name: str(d, 'Name'), options: strMap(d, 'Options') };
}

function specFields(body: unknown, what: string): SpecFields {
  const f = fieldsOf(body, what);
  if (f === undefined) throw ShoalError.invalidArgument(`the request body must be a JSON ${what}`);
  const data = str(f, 'Data');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw ShoalError.invalidArgument(`${what}.Data must be base64`);
  return {
    annotations: { name: str(f, 'Name'), labels: strMap(f, 'Labels') }, data: Buffer.from(data, 'base64'),
    templating: driverOf(f, 'Templating'), driver: driverOf(f, 'Driver'),
  };
}

function configSpec(body: unknown): { annotations: SpecFields['annotations']; data: Buffer; templating: Driver | undefined } {
  const { annotations, data, templating } = specFields(body, 'ConfigSpec');
  return { annotations, data, templating };
}

function listFilters(req: DockerRequest): FilterArgs {
  const args = parseFilters(req.query.get('filters'));
  checkFilterKeys(args, FILTERS);
  return args;
}

function filtersOf(args: FilterArgs) {
  return {
    names: filterValues(args, 'names'), namePrefixes: filterValues(args, 'name'),
    idPrefixes: filterValues(args, 'id'), labels: labelFilter(args),
  };
}

/** secretRoutes are the /secrets routes over `api`; data is never returned. */
export function secretRoutes(api: ControlApi): Route[] {
  return [
    route('GET', '/secrets', async (req) => {
      const request = ListSecretsRequest.fromPartial({ filters: filtersOf(listFilters(req)) });
      return json((await api.listSecrets(request)).secrets.map(secretJson));
    }),
    route('POST', '/secrets/create', async (req) => {
      const created = await api.createSecret({ spec: specFields(req.body, 'SecretSpec') });
      if (created.secret === undefined) throw ShoalError.internal('the Control API created a secret but returned none');
      return json({ ID: created.secret.id }, 201);
    }),
    route('GET', `/secrets/${ID}`, async (req) => json(secretJson(await resolveRef(secretLookup(api), req.params[0] ?? '')))),
    route('POST', `/secrets/${ID}/update`, async (req) => {
      const version = versionParam(req, 'secret');
      const secret = await resolveRef(secretLookup(api), req.params[0] ?? '');
      await api.updateSecret({ secretId: secret.id, secretVersion: { index: version }, spec: specFields(req.body, 'SecretSpec') });
      return empty(200);
    }),
    route('DELETE', `/secrets/${ID}`, async (req) => {
      const secret = await resolveRef(secretLookup(api), req.params[0] ?? '');
      await api.removeSecret({ secretId: secret.id });
      return empty(204);
    }),
  ];
}

/** configRoutes are the /configs routes over `api`. */
export function configRoutes(api: ControlApi): Route[] {
  return [
    route('GET', '/configs', async (req) => {
      const request = ListConfigsRequest.fromPartial({ filters: filtersOf(listFilters(req)) });
      return json((await api.listConfigs(request)).configs.map(configJson));
    }),
    route('POST', '/configs/create', async (req) => {
      const created = await api.createConfig({ spec: configSpec(req.body) });
      if (created.config === undefined) throw ShoalError.internal('the Control API created a config but returned none');
      return json({ ID: created.config.id }, 201);
    }),
    route('GET', `/configs/${ID}`, async (req) => json(configJson(await resolveRef(configLookup(api), req.params[0] ?? '')))),
    route('POST', `/configs/${ID}/update`, async (req) => {
      const version = versionParam(req, 'config');
      const config = await resolveRef(configLookup(api), req.params[0] ?? '');
      await api.updateConfig({ configId: config.id, configVersion: { index: version }, spec: configSpec(req.body) });
      return empty(200);
    }),
    route('DELETE', `/configs/${ID}`, async (req) => {
      const config = await resolveRef(configLookup(api), req.params[0] ?? '');
      await api.removeConfig({ configId: config.id });
      return empty(204);
    }),
  ];
}
