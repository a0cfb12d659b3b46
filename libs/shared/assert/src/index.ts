// Public surface of @shoal/assert.
export { assert, assertNever, AssertionFailure } from './assert';
