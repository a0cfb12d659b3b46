// Goal: the real clock, timers, crypto randomness and signal handling honour the core ports'
// contracts. Method: short real timers, ID format checks, and signals emitted in-process
// with an injected exit spy (the test process never exits).
import { isId } from '@shoal/ids';
import { cryptoRandom, newRandomId } from './crypto-random';
import { onShutdownSignals } from './shutdown-signals';
import { systemClock, systemTimers } from './system-clock';

describe('systemClock / systemTimers', () => {
  it('reads the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('runs a timer once and cancels another', async () => {
    const fired: string[] = [];
    systemTimers.setTimeout(() => fired.push('a'), 5);
    const b = systemTimers.setTimeout(() => fired.push('b'), 5);
    systemTimers.clearTimeout(b);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toEqual(['a']);
  });
});

describe('cryptoRandom / newRandomId', () => {
  it('produces valid, distinct IDs', () => {
    const ids = new Set(Array.from({ length: 1_000 }, () => newRandomId()));
    expect(ids.size).toBe(1_000);
    for (const id of ids) expect(isId(id)).toBe(true);
  });

  it('honours the Random ranges across pool refills', () => {
    const r = cryptoRandom();
    for (let i = 0; i < 2_000; i++) {
      const x = r.int(10, 20);
      expect(x).toBeGreaterThanOrEqual(10);
      expect(x).toBeLessThan(20);
    }
    const f = r.fork().float();
    expect(f).toBeGreaterThanOrEqual(0);
    expect(f).toBeLessThan(1);
  });
});

describe('onShutdownSignals', () => {
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it('runs the handler once on the first signal, then exits 0', async () => {
    const exit = jest.fn();
    const handler = jest.fn(async () => undefined);
    const dispose = onShutdownSignals(handler, undefined, { exit });
    try {
      process.emit('SIGTERM');
      await flush();
      expect(handler).toHaveBeenCalledWith('SIGTERM');
      expect(exit).toHaveBeenCalledWith(0);
    } finally {
      dispose();
    }
  });

  it('forces exit with 128 + signal on a second signal while stopping', async () => {
    const exit = jest.fn();
    const handler = jest.fn(() => new Promise<void>(() => undefined));
    const dispose = onShutdownSignals(handler, undefined, { exit });
    try {
      process.emit('SIGINT');
      process.emit('SIGINT');
      await flush();
      expect(handler).toHaveBeenCalledTimes(1);
      expect(exit).toHaveBeenCalledWith(130);
    } finally {
      dispose();
    }
  });

  it('exits 1 when the handler rejects', async () => {
    const exit = jest.fn();
    const dispose = onShutdownSignals(async () => Promise.reject(new Error('x')), undefined, {
      exit,
    });
    try {
      process.emit('SIGTERM');
      await flush();
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      dispose();
    }
  });

  it('removes its listeners when disposed', () => {
    const before = process.listenerCount('SIGTERM');
    const dispose = onShutdownSignals(async () => undefined, undefined, { exit: jest.fn() });
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    dispose();
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
