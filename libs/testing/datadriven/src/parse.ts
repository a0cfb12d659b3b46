/**
 * The script parser. Grammar (cockroachdb/datadriven's, which etcd-raft uses):
 *
 *   # comment lines and blank lines between cases are kept verbatim
 *   command arg1 arg2=val arg3=(a,b)
 *   optional input lines
 *   ----
 *   expected output, up to the first blank line
 *
 * When the expected output itself contains blank lines, it is fenced by a doubled
 * separator: `----` `----` <output> `----` `----`.
 */
import { CmdArg, TestData } from './test-data';

/** SEPARATOR divides a directive (and its input) from the expected output. */
export const SEPARATOR = '----';

/**
 * ParsedCase is a test case plus where its expected output sits in the file's lines, so a
 * rewrite can replace exactly that range. `outputStart` is the first line after the
 * separator; `outputEnd` is exclusive and includes the closing fence in double mode.
 */
export interface ParsedCase {
  data: TestData;
  outputStart: number;
  outputEnd: number;
}

/** parseScript splits a script into cases; a malformed script throws with its position. */
export function parseScript(text: string, fileName: string): ParsedCase[] {
  const lines = text.split('\n');
  const cases: ParsedCase[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = (lines[i] as string).trim();
    if (line === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    const directiveLine = i;
    const { cmd, args } = parseDirective(line, `${fileName}:${i + 1}`);
    i++;
    const input: string[] = [];
    while (i < lines.length && lines[i] !== SEPARATOR) input.push(lines[i++] as string);
    if (i >= lines.length) {
      throw new Error(`${fileName}:${directiveLine + 1}: missing ${SEPARATOR}`);
    }
    i++;
    const out = readOutput(lines, i, `${fileName}:${directiveLine + 1}`);
    const pos = `${fileName}:${directiveLine + 1}`;
    const data = new TestData(pos, cmd, args, input.join('\n'), out.expected);
    cases.push({ data, outputStart: i, outputEnd: out.end });
    i = out.end;
  }
  return cases;
}

function readOutput(
  lines: string[],
  start: number,
  pos: string,
): { expected: string; end: number } {
  const out: string[] = [];
  let i = start;
  if (lines[i] === SEPARATOR) {
    i++;
    for (;;) {
      if (i >= lines.length) throw new Error(`${pos}: unterminated double-separator output`);
      if (lines[i] === SEPARATOR && lines[i + 1] === SEPARATOR) {
        return { expected: out.join('\n'), end: i + 2 };
      }
      out.push(lines[i++] as string);
    }
  }
  while (i < lines.length && (lines[i] as string).trim() !== '') out.push(lines[i++] as string);
  return { expected: out.join('\n'), end: i };
}

/** parseDirective splits `command k=v k2=(a,b) k3` into the command and its arguments. */
export function parseDirective(line: string, pos: string): { cmd: string; args: CmdArg[] } {
  const tokens = tokenize(line, pos);
  const cmd = tokens.shift();
  if (cmd === undefined) throw new Error(`${pos}: empty directive`);
  const args = tokens.map((t) => {
    const eq = t.indexOf('=');
    if (eq < 0) return { key: t, vals: [] };
    const key = t.slice(0, eq);
    const raw = t.slice(eq + 1);
    if (raw.startsWith('(')) {
      if (!raw.endsWith(')')) throw new Error(`${pos}: unterminated list in ${t}`);
      const inner = raw.slice(1, -1).trim();
      return { key, vals: inner === '' ? [] : inner.split(',').map((v) => v.trim()) };
    }
    return { key, vals: [raw] };
  });
  return { cmd, args };
}

/** tokenize splits on spaces outside parentheses. */
function tokenize(line: string, pos: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let depth = 0;
  for (const ch of line) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw new Error(`${pos}: unbalanced parentheses`);
    if (ch === ' ' && depth === 0) {
      if (current !== '') tokens.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0) throw new Error(`${pos}: unbalanced parentheses`);
  if (current !== '') tokens.push(current);
  return tokens;
}

/**
 * formatOutput renders an actual output for a script: single-separator form when it has no
 * blank line, double-separator form otherwise. The returned lines replace the output range.
 */
export function formatOutput(actual: string): string[] {
  const body = actual.replace(/\n+$/, '');
  const lines = body === '' ? [] : body.split('\n');
  if (lines.some((l) => l.trim() === '')) return [SEPARATOR, ...lines, SEPARATOR, SEPARATOR];
  return lines;
}
