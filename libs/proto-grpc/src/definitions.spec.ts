// Goal: @shoal/proto-grpc exposes one grpc-js definition per proto service, with gRPC paths
// "/<package>.<Service>/<Method>", and its generated files import messages only from
// @shoal/proto (never by relative path into the message library). Method: inspect
// SERVICE_DEFINITIONS and scan the generated sources' import specifiers.
import fs from 'node:fs';
import path from 'node:path';
import { SERVICE_DEFINITIONS } from './index';

const GEN = path.join(__dirname, 'gen');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : [full];
  });
}

describe('SERVICE_DEFINITIONS', () => {
  it('lists every service of the contracts', () => {
    expect(Object.keys(SERVICE_DEFINITIONS).sort()).toEqual([
      'grpc.health.v1.Health',
      'shoal.v1.CA',
      'shoal.v1.Control',
      'shoal.v1.Dispatcher',
      'shoal.v1.Leases',
      'shoal.v1.Members',
      'shoal.v1.Raft',
      'shoal.v1.Store',
    ]);
  });

  it.each(Object.entries(SERVICE_DEFINITIONS))('%s: paths name the service', (name, def) => {
    for (const method of Object.values(def)) {
      expect(method.path).toMatch(new RegExp(`^/${name.replace(/\./g, '\\.')}/[A-Z]\\w+$`));
    }
  });

  it('has the dispatcher and store streams the later servers rely on', () => {
    const d = SERVICE_DEFINITIONS['shoal.v1.Dispatcher'];
    expect(d.session.responseStream).toBe(true);
    expect(d.assignments.responseStream).toBe(true);
    expect(SERVICE_DEFINITIONS['shoal.v1.Store'].watch.responseStream).toBe(true);
    expect(SERVICE_DEFINITIONS['shoal.v1.Raft'].send.requestStream).toBe(true);
    expect(SERVICE_DEFINITIONS['shoal.v1.Raft'].sendSnapshot.requestStream).toBe(true);
  });
});

describe('generated service files', () => {
  it('import only @grpc/grpc-js, @shoal/proto and each other', () => {
    const bad = files(GEN).flatMap((file) => {
      const text = fs.readFileSync(file, 'utf8');
      return [...text.matchAll(/from\s+["']([^"']+)["']/g)]
        .map((m) => m[1] ?? '')
        .filter((s) => s !== '@grpc/grpc-js' && s !== '@shoal/proto')
        .filter((s) => !(path.basename(file) === 'index.ts' && s.startsWith('./')))
        .map((s) => `${path.relative(GEN, file)}: ${s}`);
    });
    expect(bad).toEqual([]);
  });
});
