/** Version of the delegate and manager protocol; a mismatch is FAILED_PRECONDITION. */
export const PROTOCOL_VERSION = '1';

export const METADATA = {
  protocolVersion: 'kiln-protocol-version',
  authorization: 'authorization',
  delegateId: 'kiln-delegate-id',
  problems: 'kiln-problems-bin',
  errorCode: 'kiln-error-code',
} as const;
