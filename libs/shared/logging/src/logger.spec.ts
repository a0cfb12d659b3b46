// Goal: createLogger writes parseable JSON lines with app, level label, time and component,
// honours the level, serialises errors and redacts secrets. Method: log into an in-memory
// stream and parse each line.
import { Writable } from 'node:stream';
import { childLogger, createLogger, silentLogger } from './logger';

/** Collects every line written to it. */
function memoryStream(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines };
}

describe('createLogger', () => {
  it('writes JSON lines with app, label level, ISO time, pid and base fields', () => {
    const out = memoryStream();
    const log = createLogger({ app: 'scheduler', destination: out.stream, base: { nodeId: 'n1' } });
    log.info({ tasks: 3 }, 'tick');
    const [line] = out.lines();
    expect(line).toMatchObject({
      app: 'scheduler',
      level: 'info',
      nodeId: 'n1',
      pid: process.pid,
      tasks: 3,
      msg: 'tick',
    });
    expect(Date.parse(String(line?.['time']))).not.toBeNaN();
  });

  it.each([
    ['info', ['info', 'warn']],
    ['warn', ['warn']],
    ['debug', ['debug', 'info', 'warn']],
    ['silent', []],
  ])('at level %s writes %j', (level, expected) => {
    const out = memoryStream();
    const log = createLogger({ app: 'x', level, destination: out.stream });
    log.debug('d');
    log.info('i');
    log.warn('w');
    expect(out.lines().map((l) => l['level'])).toEqual(expected);
  });

  it('defaults to info', () => {
    const out = memoryStream();
    expect(createLogger({ app: 'x', destination: out.stream }).level).toBe('info');
  });

  it('serialises errors with type, message and stack', () => {
    const out = memoryStream();
    const log = createLogger({ app: 'x', destination: out.stream });
    log.error({ err: new TypeError('bad') }, 'failed');
    const err = out.lines()[0]?.['err'] as Record<string, unknown>;
    expect(err['type']).toBe('TypeError');
    expect(err['message']).toBe('bad');
    expect(String(err['stack'])).toContain('TypeError: bad');
  });

  it('redacts secrets at the top level and one level down', () => {
    const out = memoryStream();
    const log = createLogger({ app: 'x', destination: out.stream });
    log.info({ joinToken: 'SWMTKN-1-abc', node: { token: 't', name: 'n1' } }, 'join');
    const [line] = out.lines();
    expect(line?.['joinToken']).toBe('[redacted]');
    expect(line?.['node']).toEqual({ token: '[redacted]', name: 'n1' });
  });

  it('rejects an unknown level', () => {
    expect(() => createLogger({ app: 'x', level: 'loud' })).toThrow();
  });
});

describe('childLogger / silentLogger', () => {
  it('adds the component and extra bindings to every line', () => {
    const out = memoryStream();
    const root = createLogger({ app: 'manager', destination: out.stream });
    childLogger(root, 'dispatcher', { sessionId: 's1' }).info('hello');
    expect(out.lines()[0]).toMatchObject({
      app: 'manager',
      component: 'dispatcher',
      sessionId: 's1',
    });
  });

  it('silentLogger writes nothing and accepts every call', () => {
    const log = silentLogger();
    expect(log.level).toBe('silent');
    expect(() => log.error({ err: new Error('x') }, 'ignored')).not.toThrow();
  });
});
