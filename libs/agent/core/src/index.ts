// Public surface of @shoal/agent-core.
export {};
