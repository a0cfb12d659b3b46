// Public surface of @shoal/raft-sim.
export {};
