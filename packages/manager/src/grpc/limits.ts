/**
 * Largest gRPC message the manager receives: 4 MiB, the grpc-js default, set
 * explicitly so a change of default cannot raise it. An Apply request carries a
 * pipeline file of at most 1 MiB, the pipeline parser's limit. grpc-js rejects a
 * larger message with RESOURCE_EXHAUSTED before any handler runs.
 */
export const MAX_GRPC_MESSAGE_BYTES = 4 * 1024 * 1024;
