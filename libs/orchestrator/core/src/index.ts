// Public surface of @shoal/orchestrator-core.
export {};
