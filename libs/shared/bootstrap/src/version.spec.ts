// Goal: the version every app reports is the workspace's version.
// Method: compare SHOAL_VERSION with the root package.json.
import fs from 'node:fs';
import path from 'node:path';
import { SHOAL_VERSION } from './version';

it('SHOAL_VERSION matches the root package.json version', () => {
  const pkg = JSON.parse(
    fs.readFileSync(path.resolve(__dirname, '../../../../package.json'), 'utf8'),
  ) as { version: string };
  expect(SHOAL_VERSION).toBe(pkg.version);
});
