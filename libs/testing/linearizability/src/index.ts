// Public surface of @shoal/testing-linearizability.
export {};
