// Public surface of @shoal/proto.
export {};
