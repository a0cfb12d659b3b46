/**
 * Goal: the datadriven harness parses scripts exactly (directives, arguments, input,
 * single- and double-separator outputs, comments), reports mismatches with a line diff and
 * positions, and rewrites expectations in place on update without touching anything else.
 * Method: run small in-memory scripts through `runScript` with echoing handlers; one test
 * round-trips a real file in a temp directory through `runFile` with `update: true`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DataDrivenMismatch,
  formatOutput,
  lineDiff,
  parseDirective,
  parseScript,
  runFile,
  runScript,
  TestData,
} from './index';

const SCRIPT = [
  '# leading comment',
  '',
  'echo a=1 b=(x, y) flag 7',
  'some input',
  '----',
  'a=1',
  '',
  'multi',
  '----',
  '----',
  'line one',
  '',
  'line three',
  '----',
  '----',
  '',
  'empty',
  '----',
  '',
].join('\n');

describe('datadriven parser', () => {
  test('parses directives, arguments, input and both output forms', () => {
    const cases = parseScript(SCRIPT, 's.txt');
    expect(cases.map((c) => [c.data.pos, c.data.cmd])).toEqual([
      ['s.txt:3', 'echo'],
      ['s.txt:8', 'multi'],
      ['s.txt:17', 'empty'],
    ]);
    const d = (cases[0] as { data: TestData }).data;
    expect(d.cmdArgs).toEqual([
      { key: 'a', vals: ['1'] },
      { key: 'b', vals: ['x', 'y'] },
      { key: 'flag', vals: [] },
      { key: '7', vals: [] },
    ]);
    expect([d.input, d.expected, d.int('a'), d.bool('flag'), d.positionalInts()]).toEqual([
      'some input',
      'a=1',
      1,
      true,
      [7],
    ]);
    expect(cases[1]?.data.expected).toBe('line one\n\nline three');
    expect(cases[2]?.data.expected).toBe('');
  });

  test('rejects malformed directives and scripts with their position', () => {
    expect(() => parseDirective('cmd a=(1,2', 'f:1')).toThrow('f:1');
    expect(() => parseScript('cmd\nno separator', 'f.txt')).toThrow('f.txt:1: missing ----');
    expect(() => parseScript('cmd\n----\n----\nnever closed', 'f.txt')).toThrow('unterminated');
  });

  test('typed accessors validate values', () => {
    const d = new TestData('p:1', 'c', [{ key: 'n', vals: ['x'] }], '', '');
    expect(() => d.int('n')).toThrow('not an integer');
    expect(d.int('missing', 5)).toBe(5);
    expect(() => d.string('missing')).toThrow('missing argument');
  });

  test('formatOutput uses the double separator only when the output has blank lines', () => {
    expect(formatOutput('a\nb\n')).toEqual(['a', 'b']);
    expect(formatOutput('a\n\nb')).toEqual(['----', 'a', '', 'b', '----', '----']);
    expect(formatOutput('')).toEqual([]);
  });
});

describe('datadriven runner', () => {
  const echo = (d: TestData): string => {
    if (d.cmd === 'echo') return d.arg('a') ? `a=${d.string('a')}` : '';
    if (d.cmd === 'multi') return 'line one\n\nline three';
    return '';
  };

  test('passes when every output matches', () => {
    expect(runScript(SCRIPT, 's.txt', echo, false)).toBe(SCRIPT);
  });

  test('reports every mismatch with position and a line diff', () => {
    const bad = (d: TestData): string => (d.cmd === 'echo' ? 'a=2' : echo(d));
    let err: unknown;
    try {
      runScript(SCRIPT, 's.txt', bad, false);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataDrivenMismatch);
    expect((err as Error).message).toContain('s.txt:3: output of "echo" differs');
    expect((err as Error).message).toContain('- a=1\n+ a=2');
    expect((err as Error).message).toContain('UPDATE=1');
  });

  test('update rewrites only the outputs, keeping comments and spacing', () => {
    const changed = (d: TestData): string => {
      if (d.cmd === 'echo') return 'new\noutput';
      if (d.cmd === 'multi') return 'now single';
      return 'filled';
    };
    const out = runScript(SCRIPT, 's.txt', changed, true);
    expect(out).toBe(
      [
        '# leading comment',
        '',
        'echo a=1 b=(x, y) flag 7',
        'some input',
        '----',
        'new',
        'output',
        '',
        'multi',
        '----',
        'now single',
        '',
        'empty',
        '----',
        'filled',
        '',
      ].join('\n'),
    );
    // Rewriting is idempotent: the rewritten script passes with the same handler.
    expect(runScript(out, 's.txt', changed, false)).toBe(out);
  });

  test('runFile rewrites a file in place when updating', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datadriven-'));
    const file = path.join(dir, 't.txt');
    fs.writeFileSync(file, 'echo a=3\n----\nstale\n');
    runFile(file, echo, { update: true });
    expect(fs.readFileSync(file, 'utf8')).toBe('echo a=3\n----\na=3\n');
    expect(() => runFile(file, echo, { update: false })).not.toThrow();
    fs.rmSync(dir, { recursive: true });
  });

  test('lineDiff marks removed and added lines around common ones', () => {
    expect(lineDiff('a\nb\nc', 'a\nx\nc')).toBe('  a\n- b\n+ x\n  c');
    expect(lineDiff('', 'x')).toBe('- \n+ x');
  });
});
