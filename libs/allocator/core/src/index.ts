// Public surface of @shoal/allocator-core.
export {};
