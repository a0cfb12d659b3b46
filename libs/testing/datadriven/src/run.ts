/**
 * Running scripts: each case's directive goes to a handler whose returned string is compared
 * with the expected output. With UPDATE=1 in the environment (or `update: true`), the file
 * is rewritten in place with the actual outputs instead; review the diff before committing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lineDiff } from './diff';
import { formatOutput, parseScript } from './parse';
import { TestData } from './test-data';

/** Handler runs one directive and returns its output ("" is rendered as nothing). */
export type Handler = (d: TestData) => string;

/** RunOptions control one file's run. */
export interface RunOptions {
  /** update rewrites expectations; defaults to process.env.UPDATE === '1'. */
  update?: boolean;
}

/** DataDrivenMismatch is thrown when outputs differ; its message holds a line diff. */
export class DataDrivenMismatch extends Error {
  override readonly name = 'DataDrivenMismatch';
}

/**
 * runScript runs every case of `text` through `handler` in order. Returns the rewritten text
 * when updating; otherwise throws DataDrivenMismatch listing every mismatching case.
 */
export function runScript(
  text: string,
  fileName: string,
  handler: Handler,
  update: boolean,
): string {
  const cases = parseScript(text, fileName);
  const lines = text.split('\n');
  const failures: string[] = [];
  const replacements: Array<{ start: number; end: number; lines: string[] }> = [];
  for (const c of cases) {
    const actual = normalize(handler(c.data));
    if (update) {
      replacements.push({ start: c.outputStart, end: c.outputEnd, lines: formatOutput(actual) });
    } else if (actual !== normalize(c.data.expected)) {
      failures.push(
        `${c.data.pos}: output of "${c.data.cmd}" differs (- expected, + actual):\n` +
          lineDiff(normalize(c.data.expected), actual),
      );
    }
  }
  if (failures.length > 0) {
    throw new DataDrivenMismatch(`${failures.join('\n\n')}\n\n(rerun with UPDATE=1 to rewrite)`);
  }
  for (const r of replacements.reverse()) lines.splice(r.start, r.end - r.start, ...r.lines);
  return lines.join('\n');
}

/** runFile runs the script at `filePath`, rewriting it in place when updating. */
export function runFile(filePath: string, handler: Handler, options: RunOptions = {}): void {
  const update = options.update ?? process.env['UPDATE'] === '1';
  const text = fs.readFileSync(filePath, 'utf8');
  const out = runScript(text, path.basename(filePath), handler, update);
  if (update && out !== text) fs.writeFileSync(filePath, out);
}

/** listScripts returns the `.txt` scripts directly inside `dir`, sorted. */
export function listScripts(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => path.join(dir, f));
}

function normalize(s: string): string {
  return s.replace(/\s+$/, '');
}
