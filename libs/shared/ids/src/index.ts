// Public surface of @shoal/ids.
export {};
