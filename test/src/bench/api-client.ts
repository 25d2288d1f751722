import * as grpc from '@grpc/grpc-js';
import { METADATA, PROTOCOL_VERSION, loadManagerProto, type ManagerServiceClient, type wire } from '@kiln/protocol';
import { call } from './sim-delegate.js';

/** The few ManagerService calls the benchmarks make, promise-based. */
export class ApiClient {
  private readonly client: ManagerServiceClient;
  private readonly metadata = new grpc.Metadata();

  constructor(address: string, token: string) {
    this.client = new (loadManagerProto().kiln.v1.ManagerService)(address, grpc.credentials.createInsecure());
    this.metadata.set(METADATA.protocolVersion, PROTOCOL_VERSION);
    this.metadata.set(METADATA.authorization, `Bearer ${token}`);
  }

  apply(sourceName: string, content: string): Promise<wire.ApplyResponse__Output> {
    return call(this.client.Apply.bind(this.client), { source_name: sourceName, content }, this.metadata, 30_000);
  }

  start(pipeline: string, branch?: string): Promise<wire.Execution__Output> {
    return call(this.client.StartExecution.bind(this.client), { pipeline, branch: branch ?? '' }, this.metadata, 30_000);
  }

  get(id: string): Promise<wire.Execution__Output> {
    return call(this.client.GetExecution.bind(this.client), { id }, this.metadata, 30_000);
  }

  list(pipeline: string, limit: number): Promise<wire.ListExecutionsResponse__Output> {
    return call(this.client.ListExecutions.bind(this.client), { pipeline, limit }, this.metadata, 30_000);
  }

  close(): void {
    this.client.close();
  }
}

/** A one-stage pipeline with no codebase and a Run step that does nothing, routed to delegates tagged `local`. */
export const NOOP_PIPELINE = `
connector:
  name: Local delegates
  identifier: kiln_delegate
  type: K8sCluster
  spec:
    credential:
      type: InheritFromDelegate
    delegateSelectors: [local]
---
pipeline:
  name: No-op
  identifier: Noop
  orgIdentifier: default
  projectIdentifier: bench
  stages:
    - stage:
        name: Noop
        identifier: Noop
        type: CI
        spec:
          cloneCodebase: false
          infrastructure:
            type: KubernetesDirect
            spec:
              connectorRef: account.kiln_delegate
              namespace: bench
          execution:
            steps:
              - step:
                  type: Run
                  name: Nothing
                  identifier: Nothing
                  spec:
                    command: "true"
`;
