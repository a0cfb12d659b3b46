#!/usr/bin/env node
// `npm run stop`: ends every process `npm start` started from the state directory (node-agents
// first, the raft-store last): SIGTERM, then SIGKILL after 15 s; removes the pid files. The
// state directory stays, so the next `npm start` reuses the cluster.
//   npm run stop [-- --state-dir DIR]     (env SHOAL_STATE_DIR, default ./.shoal)
import topology from '../topology/topology.cjs';
import { parseTopologyArgs } from './topology-args.mjs';

const { stateDir } = parseTopologyArgs(process.argv.slice(2));
const results = await topology.down(stateDir);
const ended = results.filter((r) => r.outcome !== 'not running');
console.log(ended.length === 0 ? `shoal: nothing was running from ${stateDir}`
  : `shoal: stopped ${ended.length} processes (${results.filter((r) => r.outcome === 'killed').length} needed SIGKILL); state kept in ${stateDir}`);
