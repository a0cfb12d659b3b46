// Public surface of @shoal/loop-sim.
export {};
