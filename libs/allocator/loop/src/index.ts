// Public surface of @shoal/allocator-loop.
export {};
