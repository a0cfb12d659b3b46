// Goal: assert is always on and names the broken invariant; assertNever rejects stray values.
import { assert, assertNever, AssertionFailure } from './assert';

describe('assert', () => {
  it('passes when the condition holds', () => {
    expect(() => assert(1 + 1 === 2, 'arithmetic')).not.toThrow();
  });

  it('throws an AssertionFailure naming the invariant when it does not', () => {
    expect(() => assert(false, 'slot is positive')).toThrow(AssertionFailure);
    expect(() => assert(0, 'slot is positive')).toThrow('assertion failed: slot is positive');
  });

  it('stays on whatever NODE_ENV says', () => {
    const before = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'production';
    try {
      expect(() => assert(false, 'still checked')).toThrow(AssertionFailure);
    } finally {
      process.env['NODE_ENV'] = before;
    }
  });
});

describe('assertNever', () => {
  it('throws for a value the type system said could not exist', () => {
    const stray = 'ORPHANED' as never;
    expect(() => assertNever(stray, 'task state')).toThrow('unexpected task state: "ORPHANED"');
  });
});
