// Flags shared by `npm start` and `npm run stop`: --state-dir (SHOAL_STATE_DIR, default
// ./.shoal), --base-port (SHOAL_BASE_PORT, default 4240), --executor (docker|process; default:
// docker when the engine answers on /var/run/docker.sock).
import path from 'node:path';

const USAGE = 'usage: npm start -- [--state-dir DIR] [--base-port N] [--executor docker|process]';

/** parseTopologyArgs reads the flags above; exits 64 with the usage on a bad one. */
export function parseTopologyArgs(argv, env = process.env) {
  const opts = {
    stateDir: path.resolve(env.SHOAL_STATE_DIR ?? '.shoal'),
    basePort: Number(env.SHOAL_BASE_PORT ?? 4240),
  };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => inline ?? argv[++i];
    if (flag === '--state-dir') opts.stateDir = path.resolve(value());
    else if (flag === '--base-port') opts.basePort = Number(value());
    else if (flag === '--executor') opts.executor = value();
    else if (flag === '--help' || flag === '-h') { console.log(USAGE); process.exit(0); }
    else { console.error(`unknown flag ${argv[i]}\n${USAGE}`); process.exit(64); }
  }
  if (!Number.isInteger(opts.basePort) || opts.basePort < 1 || opts.basePort > 60000) {
    console.error(`--base-port: ${opts.basePort} is not a port between 1 and 60000\n${USAGE}`);
    process.exit(64);
  }
  if (opts.executor !== undefined && !['docker', 'process'].includes(opts.executor)) {
    console.error(`--executor: ${opts.executor} is not docker or process\n${USAGE}`);
    process.exit(64);
  }
  return opts;
}
