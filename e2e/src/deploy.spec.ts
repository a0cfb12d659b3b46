// Goal: deploy/ (compose file, systemd unit templates, one env file per app) runs the same
// topology as `npm start` and names only configuration the apps really have. They cannot run
// here (no registry for images, no systemd), so they are checked statically against the built
// apps: every app is deployed, every SHOAL_* variable is a key the app's --help lists, every
// referenced env file exists, and the default ports are the architecture's.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseComposeYaml, type YamlValue } from './support/compose-yaml';
import { topology } from './support/cluster';

const root = topology.ROOT;
const deploy = path.join(root, 'deploy');
const APPS = topology.APPS;
const help: Record<string, string> = {};

beforeAll(() => {
  topology.build({ log: () => undefined, stdio: 'pipe' });
  for (const app of APPS) {
    help[app] = execFileSync(process.execPath, [path.join(root, 'dist/apps', app, 'main.js'), '--help']).toString();
  }
}, 600_000);

/** envKeys reads KEY=value lines of an env file. */
function envFile(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    expect(eq).toBeGreaterThan(0);
    out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

function expectKnown(app: string, keys: Iterable<string>, where: string): void {
  const unknown = [...keys].filter((k) => !new RegExp(`\\(env ${k}\\)`).test(help[app] ?? ''));
  expect({ where, unknown }).toEqual({ where, unknown: [] });
}

describe('deploy/env', () => {
  it.each(APPS)('%s.env names only config keys the app lists, on its default ports', (app) => {
    const env = envFile(path.join(deploy, 'env', `${app}.env`));
    expect([...env.keys()].every((k) => k.startsWith('SHOAL_'))).toBe(true);
    expectKnown(app, env.keys(), `env/${app}.env`);
    const grpcDefault = /--grpc-port[^\n]*\n[^\n]*\n[^\n]*default (\d+)/.exec(help[app] ?? '')?.[1];
    expect(env.get('SHOAL_GRPC_PORT')).toBe(grpcDefault);
  });
});

describe('deploy/docker-compose.yml', () => {
  const compose = parseComposeYaml(fs.readFileSync(path.join(deploy, 'docker-compose.yml'), 'utf8'));
  const services = compose['services'] as Record<string, Record<string, YamlValue>>;

  it('has three raft-store members and one service per other app', () => {
    const appOf = (s: Record<string, YamlValue>) => /dist\/apps\/([a-z-]+)\/main\.js/.exec((s['command'] as string[]).join(' '))?.[1];
    const apps = Object.values(services).map(appOf);
    expect(apps.filter((a) => a === 'raft-store')).toHaveLength(3);
    expect(new Set(apps)).toEqual(new Set(APPS));
  });

  it.each(Object.keys(services))('service %s: env files exist, variables are known, volumes declared', (name) => {
    const service = services[name] as Record<string, YamlValue>;
    const app = /dist\/apps\/([a-z-]+)\/main\.js/.exec((service['command'] as string[]).join(' '))?.[1] as string;
    for (const file of service['env_file'] as string[]) {
      expect(file).toBe(`env/${app}.env`);
      expect(fs.existsSync(path.join(deploy, file))).toBe(true);
    }
    expectKnown(app, Object.keys((service['environment'] ?? {}) as Record<string, string>), `compose ${name}`);
    const declared = Object.keys(compose['volumes'] as Record<string, YamlValue>);
    for (const volume of (service['volumes'] ?? []) as string[]) {
      const source = volume.split(':')[0] as string;
      if (!source.startsWith('.') && !source.startsWith('/')) expect(declared).toContain(source);
    }
  });

  it('members list the three store services and every client names them', () => {
    const members = envFile(path.join(deploy, 'env/raft-store.env')).get('SHOAL_MEMBERS');
    expect(members).toBe('1=store-1:4240,2=store-2:4240,3=store-3:4240');
    for (const app of ['orchestrator', 'scheduler', 'allocator', 'dispatcher', 'ca', 'api-gateway']) {
      expect(envFile(path.join(deploy, `env/${app}.env`)).get('SHOAL_STORE_ENDPOINTS')).toBe('store-1:4240,store-2:4240,store-3:4240');
    }
  });
});

describe('deploy/systemd', () => {
  it.each(APPS)('shoal-%s@.service runs the app with its env file and known variables', (app) => {
    const unit = fs.readFileSync(path.join(deploy, 'systemd', `shoal-${app}@.service`), 'utf8');
    for (const section of ['[Unit]', '[Service]', '[Install]']) expect(unit).toContain(section);
    expect(unit).toContain(`ExecStart=/usr/bin/node /opt/shoal/dist/apps/${app}/main.js`);
    expect(unit).toContain(`EnvironmentFile=/etc/shoal/env/${app}.env`);
    const vars = [...unit.matchAll(/^Environment=(SHOAL_[A-Z_]+)=/gm)].map((m) => m[1] as string);
    expectKnown(app, vars, `shoal-${app}@.service`);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
  });
});
