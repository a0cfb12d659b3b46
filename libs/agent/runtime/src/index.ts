// Public surface of @shoal/agent-runtime.
export {};
