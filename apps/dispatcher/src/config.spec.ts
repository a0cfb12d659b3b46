// Goal: the dispatcher refuses to trust the test node header unless the environment allows
// it, and insists on all three TLS files (or none, only with the test identity).
// Method: checkConfig on hand-built configs and environments.
import { describe, expect, it } from '@jest/globals';
import { checkConfig, type DispatcherConfig } from './config';

const base: DispatcherConfig = { host: '127.0.0.1', grpcPort: 4245, storeEndpoints: ['127.0.0.1:4240'],
  allowTestIdentity: false, managers: [] };

describe('dispatcher config', () => {
  it('refuses the test identity without SHOAL_ALLOW_TEST_IDENTITY=1', () => {
    expect(() => checkConfig({ ...base, allowTestIdentity: true }, {})).toThrow(/SHOAL_ALLOW_TEST_IDENTITY=1/);
    expect(checkConfig({ ...base, allowTestIdentity: true }, { SHOAL_ALLOW_TEST_IDENTITY: '1' })).toBeUndefined();
  });

  it('needs all three TLS files or none', () => {
    expect(checkConfig(base, {})).toBeUndefined();
    expect(() => checkConfig({ ...base, tlsCaFile: 'ca.pem' }, {})).toThrow(/set all of/);
    expect(checkConfig({ ...base, tlsCaFile: 'a', tlsCertFile: 'b', tlsKeyFile: 'c' }, {}))
      .toEqual({ ca: 'a', cert: 'b', key: 'c' });
    expect(() => checkConfig({ ...base, allowTestIdentity: true, tlsCaFile: 'a', tlsCertFile: 'b', tlsKeyFile: 'c' },
      { SHOAL_ALLOW_TEST_IDENTITY: '1' })).toThrow(/excludes/);
  });
});
