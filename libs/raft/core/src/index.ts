// Public surface of @shoal/raft.
export {};
