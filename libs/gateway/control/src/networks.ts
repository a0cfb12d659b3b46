// Networks: get and remove by ID or name, list, create (driver "overlay" by default).
import { ShoalError } from '@shoal/errors';
import { commonMatch, validateNetworkSpec } from '@shoal/gateway-spec';
import { newId } from '@shoal/ids';
import { Network, PortConfig_PublishMode, type Service } from '@shoal/proto';
import type { ControlApi } from './control-api';
import { commitOne, WRITER, type ControlDeps } from './deps';
import { resolveObject } from './resolve';

type NetworkMethods = Pick<ControlApi, 'getNetwork' | 'listNetworks' | 'createNetwork' | 'removeNetwork'>;

/** DEFAULT_NETWORK_DRIVER is the driver of a network whose spec names none. */
export const DEFAULT_NETWORK_DRIVER = 'overlay';

function findNetwork(deps: ControlDeps, request: { name: string; networkId: string }): Promise<Network> {
  return resolveObject(deps, 'network', request.networkId !== '' ? request.networkId : request.name,
    (n) => n.pendingDelete);
}

function publishesIngress(service: Service): boolean {
  return (service.spec?.endpoint?.ports ?? []).some((p) => p.publishMode === PortConfig_PublishMode.INGRESS);
}

/** refuseInUse throws FAILED_PRECONDITION when a service or a task still uses the network. */
async function refuseInUse(deps: ControlDeps, network: Network): Promise<void> {
  const services = (await deps.store.find('service')).objects.filter((s) => !s.pendingDelete);
  const routed = network.spec?.ingress === true ? services.find(publishesIngress) : undefined;
  if (routed !== undefined) {
    throw ShoalError.failedPrecondition(`ingress network cannot be removed because service ${routed.id} depends on it`);
  }
  const user = services.find((s) => (s.spec?.task?.networks ?? []).some((n) => n.target === network.id));
  if (user !== undefined) {
    throw ShoalError.failedPrecondition(`network ${network.id} is in use by service ${user.id}`);
  }
  const tasks = (await deps.store.find('task')).objects;
  const task = tasks.find((t) => t.networks.some((a) => a.network?.id === network.id));
  if (task !== undefined) {
    throw ShoalError.failedPrecondition(`network ${network.id} is in use by task ${task.id}`);
  }
}

/** networkMethods implements the network part of the Control API. */
export function networkMethods(deps: ControlDeps): NetworkMethods {
  return {
    getNetwork: async (request) => ({ network: await findNetwork(deps, request) }),
    listNetworks: async (request) => ({
      networks: (await deps.store.find('network')).objects.filter((n) => !n.pendingDelete &&
        commonMatch({ id: n.id, name: n.spec?.annotations?.name ?? '', labels: n.spec?.annotations?.labels },
          request.filters)),
    }),
    createNetwork: async (request) => {
      validateNetworkSpec(request.spec);
      if (request.spec.ingress) {
        const present = (await deps.store.find('network')).objects.find((n) => n.spec?.ingress === true);
        if (present !== undefined) {
          throw new ShoalError('ALREADY_EXISTS', `ingress network (${present.id}) is already present`);
        }
      }
      const driverConfig = request.spec.driverConfig ?? { name: DEFAULT_NETWORK_DRIVER, options: {} };
      const object = Network.fromPartial({ id: newId(deps.random), spec: { ...request.spec, driverConfig } });
      return { network: await commitOne(deps, { action: 'create', kind: 'network', object }) };
    },
    removeNetwork: async (request) => {
      const network = await findNetwork(deps, request);
      await refuseInUse(deps, network);
      await deps.store.transaction([{ action: 'delete', kind: 'network', object: Network.fromPartial({ id: network.id }) }],
        { writer: WRITER });
      return {};
    },
  };
}
