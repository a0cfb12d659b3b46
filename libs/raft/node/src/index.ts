// Public surface of @shoal/raft-node.
export {};
