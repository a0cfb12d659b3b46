// The node's description for its dispatcher session (SwarmKit's Executor.Describe): hostname,
// platform, CPUs, memory and, with the docker executor, the engine's version and labels.
import { arch, cpus, platform, totalmem } from 'node:os';
import type { NodeDescription } from '@shoal/proto';
import type Docker from 'dockerode';

/** DescribeNodeOptions say what to describe. */
export interface DescribeNodeOptions {
  readonly hostname: string;
  /** The executor kind, reported as the engine when there is no Docker Engine. */
  readonly executor: string;
  /** The Docker Engine of the docker executor. */
  readonly docker?: Docker | undefined;
}

const ARCHITECTURES: Readonly<Record<string, string>> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i386' };

/**
 * describeNode returns the node description. Contract: CPUs in nano-CPUs and memory in bytes
 * are the machine's; with `docker` the engine's version and labels (`key=value` strings
 * split at the first `=`) are included, and an engine that does not answer leaves them empty
 * rather than failing the registration.
 */
export async function describeNode(o: DescribeNodeOptions): Promise<NodeDescription> {
  const engine = { engineVersion: o.executor, labels: {} as Record<string, string>, plugins: [] as { type: string; name: string }[] };
  if (o.docker !== undefined) {
    try {
      const info = (await o.docker.info()) as { ServerVersion?: string; Labels?: string[] };
      engine.engineVersion = info.ServerVersion ?? '';
      for (const label of info.Labels ?? []) {
        const at = label.indexOf('=');
        if (at > 0) engine.labels[label.slice(0, at)] = label.slice(at + 1);
      }
      engine.plugins.push({ type: 'Volume', name: 'local' }, { type: 'Network', name: 'bridge' });
    } catch {
      engine.engineVersion = '';
    }
  }
  return {
    hostname: o.hostname,
    platform: { architecture: ARCHITECTURES[arch()] ?? arch(), os: platform() },
    resources: { nanoCpus: cpus().length * 1e9, memoryBytes: totalmem(), generic: [] },
    engine,
    tlsInfo: undefined,
    fips: false,
  };
}
