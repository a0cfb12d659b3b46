// Public surface of @shoal/raft-wal.
export {};
