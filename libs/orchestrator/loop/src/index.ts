// Public surface of @shoal/orchestrator-loop.
export {};
