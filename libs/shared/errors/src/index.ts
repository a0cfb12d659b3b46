// Public surface of @shoal/errors: stable error codes, the ShoalError class, and the single
// ErrorCode ↔ gRPC status mapping (numeric, so core code needs no gRPC import).
export {
  ERROR_CODES,
  errorCodeForGrpcStatus,
  GRPC_STATUS,
  grpcStatusFor,
  isErrorCode,
  isTransientCode,
  NOT_LEADER_MESSAGE,
  SEQUENCE_CONFLICT_MESSAGE,
  type ErrorCode,
} from './error-code';
export { isShoalError, ShoalError, type ErrorDetails } from './shoal-error';
