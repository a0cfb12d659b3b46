// Public surface of @shoal/testing-datadriven: a harness for `testdata/*.txt` scripts
// (directive / ---- / expected output), with UPDATE=1 rewriting and line diffs.
export { TestData, type CmdArg } from './test-data';
export { parseScript, parseDirective, formatOutput, SEPARATOR, type ParsedCase } from './parse';
export {
  runScript,
  runFile,
  listScripts,
  DataDrivenMismatch,
  type Handler,
  type RunOptions,
} from './run';
export { lineDiff } from './diff';
