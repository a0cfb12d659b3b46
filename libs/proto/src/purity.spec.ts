// Goal: @shoal/proto stays a pure message library that core libraries may depend on: nothing in
// it (generated or not) imports @grpc/grpc-js, NestJS, protobufjs or any other package except
// @bufbuild/protobuf's wire codec. Method: scan every non-spec .ts file under src/ for import
// and require specifiers.
import fs from 'node:fs';
import path from 'node:path';

const SRC = __dirname;
const FORBIDDEN = [/^@grpc\//, /^@nestjs\//, /^protobufjs/, /^rxjs/, /^long$/];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:from|import|require\()\s*["']([^"']+)["']/g)];
  return found.map((m) => m[1] ?? '');
}

describe('@shoal/proto imports', () => {
  const files = sourceFiles(SRC);

  it('has generated files to scan', () => {
    expect(files.some((f) => f.includes(`${path.sep}gen${path.sep}`))).toBe(true);
  });

  it('imports no gRPC, NestJS or protobufjs module', () => {
    const offending = files.flatMap((file) =>
      specifiers(file)
        .filter((s) => FORBIDDEN.some((re) => re.test(s)))
        .map((s) => `${path.relative(SRC, file)}: ${s}`),
    );
    expect(offending).toEqual([]);
  });

  it('imports only relative modules and @bufbuild/protobuf/wire', () => {
    const external = files.flatMap((file) =>
      specifiers(file)
        .filter((s) => !s.startsWith('.') && s !== '@bufbuild/protobuf/wire')
        .map((s) => `${path.relative(SRC, file)}: ${s}`),
    );
    expect(external).toEqual([]);
  });
});
