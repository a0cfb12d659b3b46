// The one error type of spec validation: INVALID_ARGUMENT with a message that reads like
// dockerd's (SwarmKit controlapi's texts, which dockerd passes through).
import { ShoalError } from '@shoal/errors';

/** invalid builds the INVALID_ARGUMENT error every validator throws. */
export function invalid(message: string): ShoalError {
  return ShoalError.invalidArgument(message);
}
