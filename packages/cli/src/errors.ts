import { KilnError } from '@kiln/protocol';

/**
 * Error raised when no gRPC connection to the manager could be made, or the
 * manager sent no response within the call deadline. The CLI exits with code 2 for it.
 */
export class ManagerUnreachableError extends KilnError {
  readonly address: string;
  readonly source: string;
  /** Transport failure, e.g. `connect ECONNREFUSED 127.0.0.1:17443`. */
  readonly reason: string;

  constructor(address: string, source: string, options: { cause?: unknown; reason: string }) {
    super('UNAVAILABLE', `cannot reach the kiln manager at ${address} (${options.reason})`, {
      cause: options.cause,
      details: { address },
    });
    this.name = 'ManagerUnreachableError';
    this.address = address;
    this.source = source;
    this.reason = options.reason;
  }
}

/** Returns a KilnError with code INVALID_ARGUMENT: the user gave a value the CLI cannot use. */
export function usageError(message: string, hint?: string): KilnError {
  return new KilnError('INVALID_ARGUMENT', message, { details: hint === undefined ? {} : { hint } });
}
