// Public surface of @shoal/proto-grpc.
export {};
