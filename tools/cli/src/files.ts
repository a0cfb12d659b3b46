// Small file helpers for the CLI: secret files written atomically with mode 0600.
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SECRET_FILE_MODE } from './state-layout';

/** exists reports whether `path` exists (any type). */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * writeSecretFile replaces `path` with `text`, mode 0600, atomically (temp file + rename),
 * creating the parent directory (mode 0700) if needed.
 */
export async function writeSecretFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  await writeFile(temp, text, { mode: SECRET_FILE_MODE, flag: 'wx' });
  await chmod(temp, SECRET_FILE_MODE);
  await rename(temp, path);
}
