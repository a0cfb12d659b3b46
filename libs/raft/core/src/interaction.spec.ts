/**
 * Goal: replay the interaction scripts in testdata/*.txt (elections, CheckQuorum, PreVote,
 * membership changes, flow control, snapshots, lagging commit) and compare every Ready,
 * message and log line with the reviewed golden output.
 * Method: each script runs in a fresh InteractionEnv through @shoal/testing-datadriven;
 * `UPDATE=1 npx jest ...` rewrites the golden outputs, which must then be reviewed.
 */
import * as path from 'node:path';
import { listScripts, runFile } from '@shoal/testing-datadriven';
import { InteractionEnv } from './testing/interaction-env';

describe('interaction scripts', () => {
  for (const file of listScripts(path.join(__dirname, 'testdata'))) {
    test(path.basename(file, '.txt'), () => {
      const env = new InteractionEnv();
      runFile(file, (d) => env.handle(d));
    });
  }
});
