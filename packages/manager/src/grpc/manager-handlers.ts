import type * as grpc from '@grpc/grpc-js';
import { KilnError, type ManagerServiceHandlers } from '@kiln/protocol';
import type { ManagerService } from '../api/manager-service.js';
import type { Caller } from '../auth/access-policy.js';
import { bearerToken, checkProtocolVersion, type CallGuard } from './call-guard.js';

export interface ManagerHandlerOptions {
  /** The operations behind the handlers; the HTTP JSON API calls the same ones. */
  service: ManagerService;
  guard: CallGuard;
  /** Aborts when shutdown begins, ending log follows. */
  shutdownSignal: AbortSignal;
}

/** Checks the protocol version and the API token of a call; returns its caller. */
function authenticate(service: ManagerService, call: { metadata: grpc.Metadata; getPeer(): string }): Promise<Caller> {
  checkProtocolVersion(call.metadata);
  return service.authenticate(bearerToken(call.metadata), call.getPeer());
}

/** Waits until a stream's write buffer drains or the call ends. */
function waitForDrain(call: grpc.ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Builds the ManagerService handlers: authentication and wire streaming around {@link ManagerService}. */
export function createManagerHandlers(options: ManagerHandlerOptions): ManagerServiceHandlers {
  const { guard, service } = options;
  return {
    Apply: guard.unary('Apply', async (call) => {
      return service.apply(await authenticate(service, call), call.request);
    }),

    StartExecution: guard.unary('StartExecution', async (call) => {
      return service.startExecution(await authenticate(service, call), call.request);
    }),

    GetExecution: guard.unary('GetExecution', async (call) => {
      await authenticate(service, call);
      return service.getExecution(call.request);
    }),

    ListExecutions: guard.unary('ListExecutions', async (call) => {
      await authenticate(service, call);
      return service.listExecutions(call.request);
    }),

    CancelExecution: guard.unary('CancelExecution', async (call) => {
      return service.cancelExecution(await authenticate(service, call), call.request);
    }),

    StreamLogs: guard.serverStream('StreamLogs', async (call) => {
      await authenticate(service, call);
      const abort = new AbortController();
      const onShutdown = (): void => abort.abort();
      options.shutdownSignal.addEventListener('abort', onShutdown);
      call.on('cancelled', () => abort.abort());
      try {
        for await (const line of service.streamLogs(call.request, abort.signal)) {
          if (abort.signal.aborted) break;
          if (!call.write(line)) await waitForDrain(call, abort.signal);
        }
        // A follow cut short by shutdown ends with UNAVAILABLE, so the client reconnects instead of taking the end as complete.
        if (call.request.follow && options.shutdownSignal.aborted) {
          throw new KilnError('UNAVAILABLE', 'the manager is shutting down; reopen the log stream when it is back');
        }
      } finally {
        options.shutdownSignal.removeEventListener('abort', onShutdown);
      }
    }),

    ListDelegates: guard.unary('ListDelegates', async (call) => {
      await authenticate(service, call);
      return service.listDelegates(call.request);
    }),

    ListPipelines: guard.unary('ListPipelines', async (call) => {
      await authenticate(service, call);
      return service.listPipelines();
    }),

    CreateToken: guard.unary('CreateToken', async (call) => service.createToken(await authenticate(service, call), call.request)),

    ListTokens: guard.unary('ListTokens', async (call) => service.listTokens(await authenticate(service, call))),

    RevokeToken: guard.unary('RevokeToken', async (call) => service.revokeToken(await authenticate(service, call), call.request)),

    ListAudit: guard.unary('ListAudit', async (call) => service.listAudit(await authenticate(service, call), call.request)),
  };
}
