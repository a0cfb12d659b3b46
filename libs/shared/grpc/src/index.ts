// Public surface of @shoal/grpc.
export {};
