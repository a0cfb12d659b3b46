// Public surface of @shoal/store.
export {};
